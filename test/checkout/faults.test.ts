// Sokoni while things go wrong (issue #9): a payment MoMo could not be reached for is never
// sent after its deadline, and a failing database makes the worker back off instead of
// spinning, saying so once.
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log';
import { onPostgres } from '../db/test-database';
import { demoProductId, pay, startStore, waitForOrder, type Store } from './helpers';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

const shopper = '256772123456';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('readiness', () => {
  it('says when MoMo is failing: the breaker is open', async () => {
    store = await startStore({ MOMO_CIRCUIT_THRESHOLD: '1', MOMO_CIRCUIT_COOLDOWN_MS: '60000', MOMO_MAX_RETRIES: '0' });
    expect((await store.http.get('/readyz').expect(200)).body.checks.momo.ok).toBe(true);
    store.control.addFault({ kind: 'error', operation: 'collection.requestToPay', status: 503 });
    await pay(store, { productId: demoProductId, qty: 1, phone: shopper });
    const notReady = await store.http.get('/readyz').expect(503);
    expect(notReady.body.checks.momo).toMatchObject({ ok: false, detail: expect.stringContaining('collection open') });
  });
});

describe('the send deadline', () => {
  it('with the breaker open past PAY_SEND_DEADLINE_S, the payment is never sent again: the order fails, nothing taken', async () => {
    store = await startStore({
      PAY_SEND_DEADLINE_S: '5',
      MOMO_CIRCUIT_THRESHOLD: '1',
      MOMO_CIRCUIT_COOLDOWN_MS: '7000',
      MOMO_MAX_RETRIES: '0',
    });
    // Every requesttopay is answered 503 with nothing created: the first opens the breaker.
    store.control.addFault({ kind: 'error', operation: 'collection.requestToPay', status: 503 });
    const placed = await pay(store, { productId: demoProductId, qty: 1, phone: shopper });
    expect(placed.body).toMatchObject({ status: 'pending', payment: { status: 'sending' } });
    const page = await store.http.get(`/orders/${placed.body.id}`).expect(200);
    expect(page.text).toContain('Contacting MTN MoMo');
    expect(page.text).not.toContain('Approve the payment on your phone');

    // The breaker lets a read through after its cooldown (past the deadline): MoMo has no such
    // payment, so it is abandoned rather than sent again.
    const failed = await waitForOrder(store, placed.body.id, (o) => o.status === 'failed', 20_000);
    expect(failed.payment).toMatchObject({ status: 'abandoned', reason: 'SEND_DEADLINE' });
    expect(store.control.calls().byOperation['collection.requestToPay']).toBe(1);
    expect(store.control.transactions({ product: 'collection' })).toHaveLength(0);
    const words = await store.http.get(`/orders/${placed.body.id}`).expect(200);
    expect(words.text).toContain('MTN MoMo could not be reached.');
    expect(words.text).toContain('No money was taken.');
    expect(words.text).toContain('Try again');

    // Still watched, never sent: nothing more leaves for it.
    await sleep(1000);
    expect(store.control.calls().byOperation['collection.requestToPay']).toBe(1);
  });

  it('a payment MoMo has after all is followed, not abandoned, even when its answer was lost past the deadline', async () => {
    store = await startStore({ PAY_SEND_DEADLINE_S: '5', SANDBOX_APPROVAL: 'handset', MOMO_MAX_RETRIES: '0' });
    store.control.addFault({ kind: 'lostAnswer', operation: 'collection.requestToPay', count: 1, as: 'error' });
    const placed = await pay(store, { productId: demoProductId, qty: 1, phone: shopper });
    const waiting = await waitForOrder(store, placed.body.id, (o) => o.payment.status === 'pending');
    await sleep(5500);
    store.control.approve(waiting.payment.referenceId, '4321');
    const done = await waitForOrder(store, placed.body.id, (o) => o.status === 'settled');
    expect(done.payment.status).toBe('successful');
    expect(store.control.calls().byOperation['collection.requestToPay']).toBe(1);
  });
});

describe('a failing database', () => {
  // SQLite only: the failure is made with SQLite's query_only (writes fail, as on a full disk),
  // and the database check asserted below is SQLite's write probe. PostgreSQL's check asks whether
  // the database answers at all; its outage is the start-up tests' (test/startup).
  it.skipIf(onPostgres)('makes the worker back off and say so once, and it recovers alone', { timeout: 90_000 }, async () => {
    const lines: string[] = [];
    store = await startStore({ SANDBOX_APPROVAL: 'handset' }, { log: createLogger({ write: (line) => lines.push(line) }) });
    // A payment nobody approves keeps a read due every few hundred milliseconds.
    const placed = await pay(store, { productId: demoProductId, qty: 1, phone: shopper });
    await waitForOrder(store, placed.body.id, (o) => o.payment.status === 'pending');
    const failing = () => lines.filter((l) => l.includes('"worker.failing"')).length;

    // Every write now fails, as on a full disk.
    store.sokoni.db.pragma('query_only = ON');
    const deadline = Date.now() + 10_000;
    while (failing() === 0 && Date.now() < deadline) await sleep(50);
    expect(failing()).toBe(1);
    const linesWhenFailing = lines.length;
    const notReady = await store.http.get('/readyz').expect(503);
    expect(notReady.body.checks.worker).toMatchObject({ ok: false, detail: expect.stringContaining('failing on the database') });
    expect(notReady.body.checks.database.ok).toBe(false);
    await sleep(4000);
    expect(failing()).toBe(1);
    // Backing off (1 s, 2 s, 4 s…): a handful of tries at most, and no error line per try (a
    // step already out when the writes began failing may log its own).
    const errors = lines.slice(linesWhenFailing).filter((line) => line.includes('"level":"error"'));
    expect(errors.length, errors.join('\n')).toBeLessThanOrEqual(2);

    store.sokoni.db.pragma('query_only = OFF');
    const recovered = Date.now() + 40_000;
    while (!lines.some((l) => l.includes('"worker.recovered"')) && Date.now() < recovered) await sleep(100);
    expect(lines.some((l) => l.includes('"worker.recovered"'))).toBe(true);
    const ready = await store.http.get('/readyz').expect(200);
    expect(ready.body.checks).toMatchObject({ worker: { ok: true }, momo: { ok: true }, database: { ok: true } });
    store.control.approve(placed.body.payment.referenceId, '4321');
    expect((await waitForOrder(store, placed.body.id, (o) => o.status === 'settled')).status).toBe('settled');
  });
});
