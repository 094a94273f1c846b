// When the worker picks (issue #16): a pick that found fewer rows than it had slots for took
// everything due, so the next waits for something that can make a row due (a poke, a step
// ending with its next check due now, a scheduled check coming due, the idle wake) instead of
// following every step. The engine here is a stand-in that records its steps and ends each with
// the next read an hour away, so only the worker's picking is under test; the clock stands still
// (the worker's own timers still run), so nothing becomes due by time alone.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config';
import { DEMO_PRODUCT_IDS, OrderStore, type Movement } from '../../src/db';
import { silentLogger } from '../../src/log';
import { Worker, type MovementEngine } from '../../src/movements';
import { demoProductId, isFinal, pay, startStore, waitForOrder, type Store } from '../checkout/helpers';
import { testSql, type TestSql } from '../db/test-database';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const now = 10_000_000;
const settings = loadConfig({ CHECK_CONCURRENCY: '4' }).worker;

async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A worker over `count` collections due since before `now`, with a stand-in engine whose steps wait for `hold`. */
async function setup(count: number) {
  const t: TestSql = await testSql();
  cleanups.push(() => t.close());
  await t.seedDemo();
  const orders = new OrderStore(t.sql);
  const store = orders.movements;
  const product = (await orders.productForOrder(DEMO_PRODUCT_IDS[0]!))!;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    await orders.createOrderWithPayment({
      id, idempotencyKey: null, productId: product.id, sellerId: product.sellerId, qty: 1, unitPriceMinor: 1000, amountMinor: 1000,
      currency: 'EUR', sellerShareBps: 8000, sellerAmountMinor: 800, platformAmountMinor: 200, payerMsisdn: '256772123456',
    }, randomUUID(), now - 10_000, { holder: 'writer', until: now - 1_000 + i }, 'momo');
    ids.push(id);
  }
  // Accepted by the provider and read on schedule: start-up's resume leaves them as they are.
  await t.sql.run(`UPDATE movements SET status = 'pending', leased_until = NULL, leased_by = NULL`);
  const steps: string[] = [];
  /** How many picks had been made when each step ended, in the order they ended. */
  const picksAtEnd: number[] = [];
  const held = new Map<string, () => void>();
  /** Whether each order's step waits for `release` before it ends; by default it ends at once. */
  let hold: (orderId: string) => boolean = () => false;
  /** Runs during a step, before it ends (a callback arriving meanwhile). */
  let during: (movement: Movement) => Promise<void> = () => Promise.resolve();
  const engine = {
    async check(movement: Movement) {
      steps.push(movement.orderId);
      await during(movement);
      if (hold(movement.orderId)) await new Promise<void>((resolve) => held.set(movement.orderId, resolve));
      const end = await store.afterRead(movement, now + 3_600_000, now);
      // As the engine does: the worker hears when the row is due next.
      if (end?.nextCheckAt != null) worker.wakeBy(end.nextCheckAt);
      picksAtEnd.push(picks.mock.calls.length);
    },
  } as unknown as MovementEngine;
  const worker = new Worker({ sql: t.sql, engine, store, settings, log: silentLogger, clock: () => now, holder: 'worker' });
  const picks = vi.spyOn(store, 'pick');
  cleanups.push(() => {
    for (const release of held.values()) release();
    return worker.stop();
  });
  return {
    t, store, worker, ids, steps, picks, picksAtEnd, held,
    holdIf: (fn: typeof hold) => (hold = fn),
    duringStep: (fn: typeof during) => (during = fn),
    release(orderId: string) {
      held.get(orderId)!();
      held.delete(orderId);
    },
    referenceOf: async (orderId: string) => (await store.of(orderId, 'collection'))!.referenceId,
  };
}

describe('the worker picks', () => {
  it('once for what is due when it found fewer than its slots: steps ending with later checks make no pick of their own', async () => {
    const s = await setup(3);
    s.holdIf(() => true);
    await s.worker.start();
    await until(() => s.held.size === 3, 'all three due rows are in their steps');
    for (const [i, id] of s.ids.entries()) {
      s.release(id);
      await until(() => s.picksAtEnd.length === i + 1, 'the step ended');
    }
    // Before, each of the first two steps' ends was followed by a pick that found nothing.
    expect(s.picksAtEnd).toEqual([1, 1, 1]);
    expect(s.steps.sort()).toEqual([...s.ids].sort());
  });

  it('at once for a callback while a step is out, and again for a row a callback made due during its own step', async () => {
    const s = await setup(2);
    const [a, b] = s.ids as [string, string];
    // b's next read is an hour away: only a callback makes it due.
    await s.t.sql.run('UPDATE movements SET next_check_at = ? WHERE order_id = ?', [now + 3_600_000, b]);
    s.holdIf((orderId) => orderId === a);
    const referenceOfB = await s.referenceOf(b);
    let calledBack = false;
    s.duringStep(async (movement) => {
      if (movement.orderId !== b || calledBack) return;
      calledBack = true;
      // A second callback while b's read is out: due at once when the read ends.
      expect(await s.store.markDueNow(referenceOfB, now)).toBe(true);
    });
    await s.worker.start();
    await until(() => s.held.has(a), 'a is in its step');
    expect(await s.store.markDueNow(referenceOfB, now)).toBe(true);
    s.worker.poke();
    // a's step is still out: b does not wait for it.
    await until(() => s.steps.filter((id) => id === b).length === 2, 'b read twice');
    expect(s.held.has(a)).toBe(true);
    expect(s.steps).toEqual([a, b, b]);
  });

  it.each([true, false])('so that a burst of orders all settle (callbacks: %s)', { timeout: 60_000 }, async (callbacks) => {
    const store: Store = await startStore({}, { callbacks });
    cleanups.push(() => store.close());
    const placed = await Promise.all(Array.from({ length: 12 }, (_, i) => pay(store, { productId: demoProductId, qty: 1, phone: `2567721235${String(i).padStart(2, '0')}` })));
    expect(placed.map((answer) => answer.status)).toEqual(placed.map(() => 202));
    const done = await Promise.all(placed.map((answer) => waitForOrder(store, (answer.body as { id: string }).id, isFinal, 30_000)));
    expect(done.map((order) => order.status)).toEqual(done.map(() => 'settled'));
  });
});
