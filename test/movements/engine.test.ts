// The movement engine on its own: a real SQLite store, a scripted fake provider and a fake
// handler table, so each rule of the one code path is seen in isolation. (The end-to-end tests
// drive the same engine through the real app and the real sandbox.)
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { DEMO_PRODUCT_IDS, demoSeedOptions, OrderStore, seedDemoCatalogue, type Movement } from '../../src/db';
import { silentLogger } from '../../src/log';
import { MovementEngine } from '../../src/movements';
import { ProviderError, ProviderRegistry, type PaymentProvider, type ProviderTransaction, type SendRequest } from '../../src/providers';
import { tempDatabase } from '../db/helpers';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
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

function setup(maxAttempts = 1, kind: 'collection' | 'payout' = 'collection') {
  const t = tempDatabase();
  cleanups.push(t.close);
  seedDemoCatalogue(t.db, demoSeedOptions('sandbox', 8000)!);
  const orders = new OrderStore(t.db);
  const fake = fakeProvider();
  let now = 1_000_000;
  const calls = { succeeded: [] as number[], failed: [] as string[], abandoned: 0, changed: 0 };
  const handler = {
    label: 'test',
    maxAttempts,
    firstCheckMs: () => 100,
    messages: () => ({ payerMessage: 'pay', payeeNote: 'note' }),
    succeeded: (m: Movement) => {
      calls.succeeded.push(m.id);
      return [];
    },
    failed: (_m: Movement, reason: string) => {
      calls.failed.push(reason);
    },
    sendDeadlineMs: () => 90_000,
    abandoned: () => {
      calls.abandoned++;
    },
  };
  const engine = new MovementEngine({
    store: orders.movements,
    providers: new ProviderRegistry([fake.provider], 'fake'),
    handlers: { collection: handler, payout: handler, refund: handler },
    settings: loadConfig({ CHECK_FIRST_MS: '100', CHECK_MAX_MS: '1000', APPROVAL_WINDOW_S: '300', SLOW_CHECK_S: '300' }).worker,
    log: silentLogger,
    clock: () => now,
    callbackUrl: (reference) => `http://shop.test/callback?ref=${reference}`,
    sendGraceMs: 30_000,
    holder: 'test-process',
    changed: () => calls.changed++,
    wake: () => {},
  });
  const orderId = randomUUID();
  orders.createOrderWithPayment({
    id: orderId, idempotencyKey: null, productId: DEMO_PRODUCT_IDS[0]!, sellerId: orders.productForOrder(DEMO_PRODUCT_IDS[0]!)!.sellerId,
    qty: 1, unitPriceMinor: 1000, amountMinor: 1000, currency: 'EUR', sellerShareBps: 8000, sellerAmountMinor: 800,
    platformAmountMinor: 200, payerMsisdn: '256772123456',
  }, randomUUID(), now, engine.sendLease(now), 'fake');
  if (kind === 'payout') {
    orders.movements.insert({
      orderId, kind, provider: 'fake', partyMsisdn: '256772000001', amountMinor: 1000, currency: 'EUR', referenceId: randomUUID(),
    }, engine.sendLease(now), now);
  }
  const movement = (): Movement => orders.movements.byId(orders.movements.of(orderId, kind)!.id)!;
  return { t, orders, engine, fake, calls, movement, advance: (ms: number) => (now += ms), now: () => now };
}

describe('the movement engine', () => {
  it('sends with the stored reference, then reads it to SUCCESSFUL and lets the handler act once', async () => {
    const s = setup();
    const reference = s.movement().referenceId;
    await s.engine.send(s.movement());
    expect(s.fake.sent.map((r) => [r.referenceId, r.partyMsisdn, r.callbackUrl])).toEqual([[reference, '256772123456', `http://shop.test/callback?ref=${reference}`]]);
    expect(s.movement()).toMatchObject({ status: 'pending', sends: 1, leasedUntil: null, nextCheckAt: s.now() + 100 });

    s.fake.readScript.push(() => tx('SUCCESSFUL'));
    await s.engine.check(s.movement());
    expect(s.movement()).toMatchObject({ status: 'successful', financialTransactionId: 'fin-1', nextCheckAt: null });
    expect(s.calls.succeeded).toEqual([s.movement().id]);
    expect(s.calls.failed).toEqual([]);
  });

  it('settles a lost create answer by reading: not found means sent again with the same reference', async () => {
    const s = setup();
    s.fake.sendScript.push(() => {
      throw new ProviderError('unknown', 'TIMEOUT', 'no answer');
    });
    await s.engine.send(s.movement());
    expect(s.movement()).toMatchObject({ status: 'sending', sends: 1 });

    s.fake.readScript.push(() => null);
    await s.engine.check(s.movement());
    expect(s.fake.sent).toHaveLength(2);
    expect(s.fake.sent[1]!.referenceId).toBe(s.fake.sent[0]!.referenceId);
    expect(s.movement()).toMatchObject({ status: 'pending', sends: 2, attempts: 1 });
  });

  it('a duplicate answer means an earlier send arrived: followed, not failed', async () => {
    const s = setup();
    s.fake.sendScript.push(() => {
      throw new ProviderError('duplicate', 'RESOURCE_ALREADY_EXIST', 'exists');
    });
    await s.engine.send(s.movement());
    expect(s.movement().status).toBe('pending');
  });

  it('retries a retryable failure with a new reference, and stops after maxAttempts', async () => {
    const s = setup(2, 'payout');
    const first = s.movement().referenceId;
    await s.engine.send(s.movement());
    s.fake.readScript.push(() => tx('FAILED', 1000, 'NOT_ENOUGH_FUNDS'));
    await s.engine.check(s.movement());
    expect(s.movement()).toMatchObject({ status: 'retry_wait', reason: 'NOT_ENOUGH_FUNDS', attempts: 1 });

    await s.engine.check(s.movement());
    const second = s.movement().referenceId;
    expect(second).not.toBe(first);
    expect(s.fake.sent.map((r) => r.referenceId)).toEqual([first, second]);
    expect(s.movement()).toMatchObject({ status: 'pending', attempts: 2, reason: null });

    s.fake.readScript.push(() => tx('FAILED', 1000, 'NOT_ENOUGH_FUNDS'));
    await s.engine.check(s.movement());
    expect(s.movement()).toMatchObject({ status: 'failed', attempts: 2 });
    expect(s.calls.failed).toEqual(['NOT_ENOUGH_FUNDS']);
    const attempts = s.t.db.prepare('SELECT reference_id AS ref, status FROM movement_attempts WHERE movement_id = ? ORDER BY created_at, rowid').all(s.movement().id);
    expect(attempts).toEqual([{ ref: first, status: 'failed' }, { ref: second, status: 'failed' }]);
  });

  it('a reason that no retry can help fails at once, and a rejected send likewise', async () => {
    const s = setup(5, 'payout');
    s.fake.sendScript.push(() => {
      throw new ProviderError('rejected', 'PAYEE_NOT_FOUND', 'no such wallet');
    });
    await s.engine.send(s.movement());
    expect(s.movement()).toMatchObject({ status: 'failed', reason: 'PAYEE_NOT_FOUND', attempts: 1 });
    expect(s.calls.failed).toEqual(['PAYEE_NOT_FOUND']);
  });

  it('SUCCESSFUL for another amount is a failure that pays nobody', async () => {
    const s = setup();
    await s.engine.send(s.movement());
    s.fake.readScript.push(() => tx('SUCCESSFUL', 999));
    await s.engine.check(s.movement());
    expect(s.movement()).toMatchObject({ status: 'failed', reason: 'AMOUNT_MISMATCH', financialTransactionId: 'fin-1' });
    expect(s.calls.succeeded).toEqual([]);
    expect(s.engine.reasonOf(s.movement(), 'AMOUNT_MISMATCH').kind).toBe('amount_mismatch');
  });

  it('PENDING keeps reading with a backoff; a callback during a step makes the next read due at once', async () => {
    const s = setup();
    await s.engine.send(s.movement());
    const store = s.orders.movements;
    const [leased] = store.lease([s.movement()], { holder: 'test-process', until: s.now() + 60_000 }, s.now());
    expect(leased).toBeDefined();
    // Hidden while leased: a second pick does not take it, and a callback does not expose it.
    expect(store.lease([s.movement()], { holder: 'another', until: s.now() + 60_000 }, s.now())).toEqual([]);
    expect(store.markDueNow(s.movement().referenceId, s.now())).toBe(true);
    expect(s.movement().nextCheckAt).toBe(s.now() + 60_000);

    s.fake.readScript.push(() => tx('PENDING'));
    await s.engine.check(s.movement());
    expect(s.movement()).toMatchObject({ status: 'pending', nextCheckAt: 0, leasedUntil: null, checks: 1 });

    s.fake.readScript.push(() => tx('PENDING'));
    await s.engine.check(s.movement());
    expect(s.movement().nextCheckAt).toBeGreaterThan(s.now());
    expect(s.movement().checks).toBe(2);
  });

  it('past the send deadline a create never leaves: the movement is abandoned, still read, and money that arrives is kept', async () => {
    const s = setup();
    s.fake.sendScript.push(() => {
      throw new ProviderError('unknown', 'TIMEOUT', 'no answer');
    });
    await s.engine.send(s.movement());
    s.advance(91_000);
    s.fake.readScript.push(() => null);
    await s.engine.check(s.movement());
    expect(s.fake.sent).toHaveLength(1);
    expect(s.movement()).toMatchObject({ status: 'abandoned', reason: 'SEND_DEADLINE' });
    expect(s.calls.abandoned).toBe(1);
    expect(s.engine.reasonOf(s.movement(), 'SEND_DEADLINE').kind).toBe('provider_unreachable');

    // Still not there: read again later, never sent.
    s.fake.readScript.push(() => null);
    await s.engine.check(s.movement());
    expect(s.movement().status).toBe('abandoned');
    expect(s.fake.sent).toHaveLength(1);

    // The lost create arrived after all, and the payer approved: the money is recorded, not lost.
    s.fake.readScript.push(() => tx('SUCCESSFUL'));
    await s.engine.check(s.movement());
    expect(s.movement()).toMatchObject({ status: 'successful', financialTransactionId: 'fin-1' });
    expect(s.calls.succeeded).toEqual([]);
  });

  it('an abandoned reference is given up for good once the approval window has surely passed', async () => {
    const s = setup();
    s.fake.sendScript.push(() => {
      throw new ProviderError('unknown', 'TIMEOUT', 'no answer');
    });
    await s.engine.send(s.movement());
    s.advance(91_000);
    s.fake.readScript.push(() => null);
    await s.engine.check(s.movement());
    s.advance(90_000 + 600_000);
    s.fake.readScript.push(() => null);
    await s.engine.check(s.movement());
    expect(s.movement()).toMatchObject({ status: 'failed', reason: 'SEND_DEADLINE', nextCheckAt: null });
    expect(s.fake.sent).toHaveLength(1);
  });

  it('a read that meets an open breaker comes back when the breaker lets a probe through, not at the slow pace', async () => {
    const s = setup();
    await s.engine.send(s.movement());
    s.advance(400_000);
    const retryAt = s.now() + 10_000;
    s.fake.readScript.push(() => {
      throw new ProviderError('unknown', 'CIRCUIT_OPEN', 'breaker open', null, retryAt);
    });
    await s.engine.check(s.movement());
    expect(s.movement().nextCheckAt).toBeGreaterThanOrEqual(retryAt);
    expect(s.movement().nextCheckAt).toBeLessThanOrEqual(retryAt + 1000);
  });
});
