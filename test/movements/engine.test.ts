// The movement engine on its own: a real store (the suite's database), a scripted fake provider and a fake
// handler table, so each rule of the one code path is seen in isolation. (The end-to-end tests
// drive the same engine through the real app and the real sandbox.)
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { DEMO_PRODUCT_IDS, movementSql, openDatabase, OrderStore, SqliteSql, type Movement, type Sql } from '../../src/db';
import { silentLogger } from '../../src/log';
import { MovementEngine, Worker } from '../../src/movements';
import { ProviderError, ProviderRegistry, type PaymentProvider, type ProviderTransaction, type SendRequest } from '../../src/providers';
import { onPostgres, testSql } from '../db/test-database';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Script = (request: SendRequest) => void;

/** A provider whose answers the test writes: `sends` and `reads` are queues of behaviours. */
function fakeProvider() {
  const sent: SendRequest[] = [];
  const sendScript: Script[] = [];
  const readScript: ((referenceId: string) => ProviderTransaction | null)[] = [];
  const provider: PaymentProvider = {
    name: 'fake',
    // A scripted throw must reject, as from a real async send or read: a promise's executor does that.
    send: (request) =>
      new Promise<void>((resolve) => {
        sent.push(request);
        sendScript.shift()?.(request);
        resolve();
      }),
    read: (_kind, referenceId) =>
      new Promise((resolve) => {
        const next = readScript.shift();
        if (!next) throw new Error('no read scripted');
        resolve(next(referenceId));
      }),
    balances: () => Promise.resolve({ collection: { availableBalance: '0', currency: 'EUR' }, disbursement: { availableBalance: '0', currency: 'EUR' } }),
    parseCallback: () => null,
    acceptsCurrency: (code: string) => code === 'EUR',
    reasonOf: (code: string) => (code === 'NOT_ENOUGH_FUNDS' ? { kind: 'not_enough_funds', retryable: true } : { kind: 'refused', retryable: false }),
  };
  return { provider, sent, sendScript, readScript };
}

const tx = (status: ProviderTransaction['status'], amountMinor = 1000, reason: string | null = null): ProviderTransaction =>
  ({ status, amountMinor, currency: 'EUR', financialTransactionId: status === 'SUCCESSFUL' ? 'fin-1' : null, reason });

async function setup(maxAttempts = 1, kind: 'collection' | 'payout' = 'collection', connections?: number) {
  const t = await testSql(connections === undefined ? {} : { connections });
  cleanups.push(t.close);
  await t.seedDemo();
  const { sql } = t;
  const orders = new OrderStore(sql);
  const fake = fakeProvider();
  let now = 1_000_000;
  const calls = { succeeded: [] as number[], failed: [] as string[], abandoned: 0, changed: 0 };
  const handler = {
    label: 'test',
    maxAttempts,
    firstCheckMs: () => 100,
    sendPlan: () => Promise.resolve({ payerMessage: 'pay', payeeNote: 'note', notBefore: null }),
    succeeded: (_tx: Sql, m: Movement) => {
      calls.succeeded.push(m.id);
      return Promise.resolve([]);
    },
    failed: (_tx: Sql, _m: Movement, reason: string) => {
      calls.failed.push(reason);
      return Promise.resolve();
    },
    sendDeadlineMs: () => 90_000,
    abandoned: () => {
      calls.abandoned++;
      return Promise.resolve();
    },
  };
  const settings = loadConfig({ CHECK_FIRST_MS: '100', CHECK_MAX_MS: '1000', APPROVAL_WINDOW_S: '300', SLOW_CHECK_S: '300' }).worker;
  const engine = new MovementEngine({
    sql,
    store: orders.movements,
    providers: new ProviderRegistry([fake.provider], 'fake'),
    handlers: { collection: handler, payout: handler, refund: handler },
    settings,
    log: silentLogger,
    clock: () => now,
    callbackUrl: (reference) => `http://shop.test/callback?ref=${reference}`,
    sendGraceMs: 30_000,
    holder: 'test-process',
    changed: () => calls.changed++,
    wake: () => {},
  });
  const orderId = randomUUID();
  await orders.createOrderWithPayment({
    id: orderId, idempotencyKey: null, productId: DEMO_PRODUCT_IDS[0]!, sellerId: (await orders.productForOrder(DEMO_PRODUCT_IDS[0]!))!.sellerId,
    qty: 1, unitPriceMinor: 1000, amountMinor: 1000, currency: 'EUR', sellerShareBps: 8000, sellerAmountMinor: 800,
    platformAmountMinor: 200, payerMsisdn: '256772123456',
  }, randomUUID(), now, engine.sendLease(now), 'fake');
  if (kind === 'payout') {
    await orders.movements.insert({
      orderId, kind, provider: 'fake', partyMsisdn: '256772000001', amountMinor: 1000, currency: 'EUR', referenceId: randomUUID(),
    }, engine.sendLease(now), now);
  }
  // Read for assertions as it is between the engine's steps.
  const movement = async (): Promise<Movement> => (await sql.get<Movement>(movementSql.byOrder, [orderId, kind]))!;
  const worker = () => new Worker({ sql, engine, store: orders.movements, settings, log: silentLogger, clock: () => now, holder: 'test-process' });
  return { t, sql, orders, engine, worker, fake, calls, movement, advance: (ms: number) => (now += ms), now: () => now };
}

describe('the movement engine', () => {
  it('sends with the stored reference, then reads it to SUCCESSFUL and lets the handler act once', async () => {
    const s = await setup();
    const reference = (await s.movement()).referenceId;
    // Written counting the send its writer makes at once: no write of its own before the request.
    expect((await s.movement()).sends).toBe(1);
    await s.engine.send(await s.movement());
    expect(s.fake.sent.map((r) => [r.referenceId, r.partyMsisdn, r.callbackUrl])).toEqual([[reference, '256772123456', `http://shop.test/callback?ref=${reference}`]]);
    expect(await s.movement()).toMatchObject({ status: 'pending', sends: 1, leasedUntil: null, nextCheckAt: s.now() + 100 });

    s.fake.readScript.push(() => tx('SUCCESSFUL'));
    await s.engine.check(await s.movement());
    expect(await s.movement()).toMatchObject({ status: 'successful', financialTransactionId: 'fin-1', nextCheckAt: null });
    expect(s.calls.succeeded).toEqual([(await s.movement()).id]);
    expect(s.calls.failed).toEqual([]);
  });

  it('settles a lost create answer by reading: not found means sent again with the same reference', async () => {
    const s = await setup();
    s.fake.sendScript.push(() => {
      throw new ProviderError('unknown', 'TIMEOUT', 'no answer');
    });
    await s.engine.send(await s.movement());
    expect(await s.movement()).toMatchObject({ status: 'sending', sends: 1 });

    s.fake.readScript.push(() => null);
    await s.engine.check(await s.movement());
    expect(s.fake.sent).toHaveLength(2);
    expect(s.fake.sent[1]!.referenceId).toBe(s.fake.sent[0]!.referenceId);
    expect(await s.movement()).toMatchObject({ status: 'pending', sends: 2, attempts: 1 });
  });

  it('a duplicate answer means an earlier send arrived: followed, not failed', async () => {
    const s = await setup();
    s.fake.sendScript.push(() => {
      throw new ProviderError('duplicate', 'RESOURCE_ALREADY_EXIST', 'exists');
    });
    await s.engine.send(await s.movement());
    expect((await s.movement()).status).toBe('pending');
  });

  it('retries a retryable failure with a new reference, and stops after maxAttempts', async () => {
    const s = await setup(2, 'payout');
    const first = (await s.movement()).referenceId;
    await s.engine.send(await s.movement());
    s.fake.readScript.push(() => tx('FAILED', 1000, 'NOT_ENOUGH_FUNDS'));
    await s.engine.check(await s.movement());
    expect(await s.movement()).toMatchObject({ status: 'retry_wait', reason: 'NOT_ENOUGH_FUNDS', attempts: 1 });

    await s.engine.check(await s.movement());
    const second = (await s.movement()).referenceId;
    expect(second).not.toBe(first);
    expect(s.fake.sent.map((r) => r.referenceId)).toEqual([first, second]);
    expect(await s.movement()).toMatchObject({ status: 'pending', attempts: 2, reason: null });

    s.fake.readScript.push(() => tx('FAILED', 1000, 'NOT_ENOUGH_FUNDS'));
    await s.engine.check(await s.movement());
    expect(await s.movement()).toMatchObject({ status: 'failed', attempts: 2 });
    expect(s.calls.failed).toEqual(['NOT_ENOUGH_FUNDS']);
    // Both attempts at the same fake time: no order between them to assert (no rowid on PostgreSQL).
    const attempts = await s.sql.all('SELECT reference_id AS ref, status FROM movement_attempts WHERE movement_id = ?', [(await s.movement()).id]);
    expect(attempts).toHaveLength(2);
    expect(attempts).toEqual(expect.arrayContaining([{ ref: first, status: 'failed' }, { ref: second, status: 'failed' }]));
  });

  it('a reason that no retry can help fails at once, and a rejected send likewise', async () => {
    const s = await setup(5, 'payout');
    s.fake.sendScript.push(() => {
      throw new ProviderError('rejected', 'PAYEE_NOT_FOUND', 'no such wallet');
    });
    await s.engine.send(await s.movement());
    expect(await s.movement()).toMatchObject({ status: 'failed', reason: 'PAYEE_NOT_FOUND', attempts: 1 });
    expect(s.calls.failed).toEqual(['PAYEE_NOT_FOUND']);
  });

  it('SUCCESSFUL for another amount is a failure that pays nobody', async () => {
    const s = await setup();
    await s.engine.send(await s.movement());
    s.fake.readScript.push(() => tx('SUCCESSFUL', 999));
    await s.engine.check(await s.movement());
    expect(await s.movement()).toMatchObject({ status: 'failed', reason: 'AMOUNT_MISMATCH', financialTransactionId: 'fin-1' });
    expect(s.calls.succeeded).toEqual([]);
    expect(s.engine.reasonOf((await s.movement()), 'AMOUNT_MISMATCH').kind).toBe('amount_mismatch');
  });

  it('PENDING keeps reading with a backoff; a callback during a step makes the next read due at once', async () => {
    const s = await setup();
    await s.engine.send(await s.movement());
    const store = s.orders.movements;
    // Picked once its first read is due.
    const due = (await s.movement()).nextCheckAt!;
    const [leased] = await store.pick(due, 1, 0, { holder: 'test-process', until: due + 60_000 });
    expect(leased).toBeDefined();
    // Hidden while leased: a second pick does not take it, and a callback does not expose it.
    expect(await store.pick(due, 1, 0, { holder: 'another', until: due + 60_000 })).toEqual([]);
    expect(await store.markDueNow((await s.movement()).referenceId, due)).toBe(true);
    expect((await s.movement()).nextCheckAt).toBe(due + 60_000);

    s.fake.readScript.push(() => tx('PENDING'));
    await s.engine.check(await s.movement());
    expect(await s.movement()).toMatchObject({ status: 'pending', nextCheckAt: 0, leasedUntil: null, checks: 1 });

    s.fake.readScript.push(() => tx('PENDING'));
    await s.engine.check(await s.movement());
    expect((await s.movement()).nextCheckAt).toBeGreaterThan(s.now());
    expect((await s.movement()).checks).toBe(2);
  });

  it('past the send deadline a create never leaves: the movement is abandoned, still read, and money that arrives is kept', async () => {
    const s = await setup();
    s.fake.sendScript.push(() => {
      throw new ProviderError('unknown', 'TIMEOUT', 'no answer');
    });
    await s.engine.send(await s.movement());
    s.advance(91_000);
    s.fake.readScript.push(() => null);
    await s.engine.check(await s.movement());
    expect(s.fake.sent).toHaveLength(1);
    expect(await s.movement()).toMatchObject({ status: 'abandoned', reason: 'SEND_DEADLINE' });
    expect(s.calls.abandoned).toBe(1);
    expect(s.engine.reasonOf((await s.movement()), 'SEND_DEADLINE').kind).toBe('provider_unreachable');

    // Still not there: read again later, never sent.
    s.fake.readScript.push(() => null);
    await s.engine.check(await s.movement());
    expect((await s.movement()).status).toBe('abandoned');
    expect(s.fake.sent).toHaveLength(1);

    // The lost create arrived after all, and the payer approved: the money is recorded, not lost.
    s.fake.readScript.push(() => tx('SUCCESSFUL'));
    await s.engine.check(await s.movement());
    expect(await s.movement()).toMatchObject({ status: 'successful', financialTransactionId: 'fin-1' });
    expect(s.calls.succeeded).toEqual([]);
  });

  it('an abandoned reference is given up for good once the approval window has surely passed', async () => {
    const s = await setup();
    s.fake.sendScript.push(() => {
      throw new ProviderError('unknown', 'TIMEOUT', 'no answer');
    });
    await s.engine.send(await s.movement());
    s.advance(91_000);
    s.fake.readScript.push(() => null);
    await s.engine.check(await s.movement());
    s.advance(90_000 + 600_000);
    s.fake.readScript.push(() => null);
    await s.engine.check(await s.movement());
    expect(await s.movement()).toMatchObject({ status: 'failed', reason: 'SEND_DEADLINE', nextCheckAt: null });
    expect(s.fake.sent).toHaveLength(1);
  });

  it('a read that meets an open breaker comes back when the breaker lets a probe through, not at the slow pace', async () => {
    const s = await setup();
    await s.engine.send(await s.movement());
    s.advance(400_000);
    const retryAt = s.now() + 10_000;
    s.fake.readScript.push(() => {
      throw new ProviderError('unknown', 'CIRCUIT_OPEN', 'breaker open', null, retryAt);
    });
    await s.engine.check(await s.movement());
    expect((await s.movement()).nextCheckAt).toBeGreaterThanOrEqual(retryAt);
    expect((await s.movement()).nextCheckAt).toBeLessThanOrEqual(retryAt + 1000);
    // A whole millisecond, as the BIGINT column holds it (PostgreSQL refuses a fraction, SQLite would store a REAL).
    expect(Number.isInteger((await s.movement()).nextCheckAt)).toBe(true);
  });

  // SQLite only: grouping a worker turn's commits is SQLite's executor's; PostgreSQL commits each transaction itself.
  it.skipIf(onPostgres)('while writes are grouped, a create leaves only once its reference is committed, and watchers hear only committed changes', async () => {
    const s = await setup();
    const { sql, file } = { sql: s.sql, file: s.t.file };
    if (!(sql instanceof SqliteSql) || file === undefined) throw new Error('a SQLite store was expected');
    sql.groupCommits(true);
    cleanups.unshift(() => sql.groupCommits(false));
    // What a crash would leave: another connection sees only what is committed.
    const other = openDatabase(file);
    cleanups.unshift(() => other.close());
    const orderId = (await s.movement()).orderId;
    const committedPayout = () => other.prepare("SELECT status FROM movements WHERE order_id = ? AND kind = 'payout'").pluck().get(orderId);
    // Written in this turn, as a collection's success writes its payout, and sent at once.
    const reference = randomUUID();
    await s.orders.movements.insert({ orderId, kind: 'payout', provider: 'fake', partyMsisdn: '256772000001', amountMinor: 800, currency: 'EUR', referenceId: reference }, s.engine.sendLease(s.now()), s.now());
    const seenAtSend: unknown[] = [];
    s.fake.sendScript.push((request) => seenAtSend.push(other.prepare('SELECT count(*) FROM movement_attempts WHERE reference_id = ?').pluck().get(request.referenceId)));
    await s.engine.send((await s.orders.movements.of(orderId, 'payout'))!);
    expect(s.fake.sent.map((r) => r.referenceId)).toEqual([reference]);
    expect(seenAtSend).toEqual([1]);
    // Its acceptance is written in the turn the answer came: announced once committed.
    expect((await s.orders.movements.of(orderId, 'payout'))!.status).toBe('pending');
    expect(committedPayout()).toBe('sending');
    expect(s.calls.changed).toBe(0);
    await sql.committed();
    expect(committedPayout()).toBe('pending');
    expect(s.calls.changed).toBe(1);
  });
});

describe("the worker's health", () => {
  it('answers without waiting, with the lag of the oldest overdue check as last read, and reads it again for the next answer', async () => {
    // One connection: the reads the answers start are done before the test's own update.
    const s = await setup(1, 'collection', 1);
    const worker = s.worker();
    // The read an answer starts is done within a turn on SQLite, a round trip later on PostgreSQL:
    // the answers are asked again until they show it (or 5 s pass).
    const lagOnceRead = async (lagMs: number) => {
      const deadline = Date.now() + 5_000;
      while (worker.health().lagMs !== lagMs && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      return worker.health().lagMs;
    };
    // Nothing read yet: no lag. The collection is held for its first send until 30 s from now.
    expect(worker.health()).toMatchObject({ state: 'ok', lagMs: 0 });
    s.advance(35_000);
    expect(await lagOnceRead(5_000)).toBe(5_000);
    // A callback made it due long ago: the answer is still as last read, the next one as read now.
    await s.sql.run('UPDATE movements SET next_check_at = ?', [s.now() - 20_000]);
    expect(worker.health().lagMs).toBe(5_000);
    expect(await lagOnceRead(20_000)).toBe(20_000);
  });
});
