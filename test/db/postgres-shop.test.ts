// The shop's SQL that used to be SQLite's alone (issue #17), on the real PostgreSQL behind a
// running Sokoni: null-tested filters, EXISTS as 0/1, e-mail lookups in any case, pages by
// (time, id) where SQLite used rowid, and two refund requests at once that both pass the checks.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEFORE_ALL, BooksStore, DEMO_PRODUCT_IDS, DEMO_SELLER_IDS, adjustmentLines, findAudit, insertPerson, personByEmail, sellerSales } from '../../src/db';
import { ADMIN_TOKEN, isFinal, pay, waitForOrder, type Store } from '../checkout/helpers';
import { startOnPostgres } from '../startup/postgres-store';
import { freshPostgres, postgres, type FreshPostgres } from './postgres-helpers';

if (postgres.url === null) console.warn(`PostgreSQL tests skipped: ${postgres.skipped}`);

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe.skipIf(postgres.url === null)('the shop on PostgreSQL', () => {
  const cleanups: (() => unknown)[] = [];
  let fresh: FreshPostgres;
  let store: Store;
  const orderIds: string[] = [];
  const since = Date.now() - 1;

  beforeAll(async () => {
    fresh = await freshPostgres();
    cleanups.push(fresh.drop);
    store = await startOnPostgres(fresh.url, cleanups);
    for (const qty of [1, 2, 3]) {
      const placed = await pay(store, { productId: DEMO_PRODUCT_IDS[0]!, qty, phone: '+256 772 123456' });
      orderIds.push(placed.body.id as string);
    }
    for (const id of orderIds) expect((await waitForOrder(store, id, isFinal)).status).toBe('settled');
  });
  afterAll(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const refund = (orderId: string, key?: string) => {
    const req = store.http.post(`/api/orders/${orderId}/refunds`).set(auth);
    if (key) req.set('idempotency-key', key);
    return req.send({ amountMinor: 100, reason: 'Basket arrived torn' });
  };

  it('answers eight refund requests at once for one order with one refund and 409s, never a 500', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => refund(orderIds[0]!)));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409, 409, 409, 409, 409, 409, 409]);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.error.code === 'refund_open')).toBe(true);
    expect(await fresh.sql.all('SELECT id FROM refunds WHERE order_id = ?', [orderIds[0]])).toHaveLength(1);
  });

  it('answers eight requests at once with one idempotency key with the same refund', async () => {
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 8 }, () => refund(orderIds[1]!, key)));
    expect(answers.map((a) => [a.status, a.body.error?.message])).toEqual(Array.from({ length: 8 }, () => [202, undefined]));
    expect(new Set(answers.map((a) => a.body.id as string)).size).toBe(1);
    expect(await fresh.sql.all('SELECT id FROM refunds WHERE order_id = ?', [orderIds[1]])).toHaveLength(1);
  });

  it('tells an order with refunds from one without', async () => {
    await refund(orderIds[0]!);
    expect((await store.sokoni.checkout.snapshot(orderIds[0]!))!.hasRefunds).toBe(true);
    expect((await store.sokoni.checkout.snapshot(orderIds[2]!))!.hasRefunds).toBe(false);
  });

  it('reads the audit log with and without filters', async () => {
    await refund(orderIds[0]!);
    const all = await findAudit(fresh.sql, { limit: 50 });
    expect(all.length).toBeGreaterThan(0);
    const requests = await findAudit(fresh.sql, { action: 'refund.request', objectId: orderIds[1]!, from: since, to: Date.now() + 1, limit: 50 });
    expect(requests.map((r) => r.objectId)).toEqual([orderIds[1]]);
    expect(await findAudit(fresh.sql, { beforeId: Math.min(...all.map((r) => r.id)), limit: 50 })).toEqual([]);
  });

  it('finds a person by e-mail in any case', async () => {
    await insertPerson(fresh.sql, { id: randomUUID(), email: 'Nakato.Owner@Example.com', role: 'owner', passwordHash: 'x', createdAt: Date.now() });
    expect((await personByEmail(fresh.sql, 'nakato.owner@example.COM'))?.email).toBe('Nakato.Owner@Example.com');
  });

  it('pages a seller\'s sales and lines with and without a cursor', async () => {
    const page = { from: since, to: Date.now() + 1, limit: 2 };
    const first = await sellerSales(fresh.sql, DEMO_SELLER_IDS.nakato, { ...page, after: null });
    expect(first).toHaveLength(2);
    const last = first.at(-1)!;
    const next = await sellerSales(fresh.sql, DEMO_SELLER_IDS.nakato, { ...page, after: { at: last.createdAt, id: last.orderId } });
    expect(next.map((s) => s.orderId)).toEqual([orderIds[0]]);
    expect(await adjustmentLines(fresh.sql, DEMO_SELLER_IDS.nakato, null, 10)).toEqual([]);
  });

  it('pages the orders export and the attempts to reconcile by time and id', async () => {
    const books = new BooksStore(fresh.sql);
    const to = Date.now() + 1;
    const first = await books.exportOrderPage(since, to, BEFORE_ALL, 2);
    const rest = await books.exportOrderPage(since, to, { at: first.at(-1)!.createdAt, id: first.at(-1)!.id }, 2);
    expect([...first, ...rest].map((o) => o.id).sort()).toEqual([...orderIds].sort());
    const attempts = await books.attemptsPage(since, to, BEFORE_ALL, 100);
    expect(attempts).toHaveLength(6);
    const after = await books.attemptsPage(since, to, { at: attempts[2]!.createdAt, id: attempts[2]!.referenceId }, 100);
    expect(after).toEqual(attempts.slice(3));
  });
});
