// Which due movements the worker takes first (issue #9): after an outage many are due at once,
// and a payment whose payer is still at the till (inside the approval window) goes before a
// backlog nobody is waiting for, whatever their due times say.
import { randomUUID } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { DEMO_PRODUCT_IDS, demoSeedOptions, OrderStore, seedDemoCatalogue, SqliteSql } from '../../src/db';
import { tempDatabase, type TempDatabase } from './helpers';

let t: TempDatabase | undefined;
afterEach(() => t?.close());

it('takes young movements before old ones, then the old by due time', async () => {
  t = tempDatabase();
  await seedDemoCatalogue(new SqliteSql(t.db), demoSeedOptions('sandbox', 8000)!);
  const orders = new OrderStore(new SqliteSql(t.db));
  const product = (await orders.productForOrder(DEMO_PRODUCT_IDS[0]!))!;
  const now = 10_000_000;
  const place = async (createdAt: number, dueAt: number) => {
    const id = randomUUID();
    await orders.createOrderWithPayment({
      id, idempotencyKey: null, productId: product.id, sellerId: product.sellerId, qty: 1, unitPriceMinor: 1000, amountMinor: 1000,
      currency: 'EUR', sellerShareBps: 8000, sellerAmountMinor: 800, platformAmountMinor: 200, payerMsisdn: '256772123456',
    }, randomUUID(), createdAt, { holder: 'test', until: dueAt }, 'momo');
    // Its lease ended at `dueAt`: due since then, as after a restart or an outage.
    t!.db.prepare('UPDATE movements SET leased_until = NULL, leased_by = NULL WHERE order_id = ?').run(id);
    return id;
  };
  const oldest = await place(now - 3_600_000, now - 3_000_000);
  const older = await place(now - 1_800_000, now - 1_000_000);
  const young = await place(now - 30_000, now - 1_000);
  const youngSince = now - 300_000;

  const due = async (limit: number, since: number) => (await orders.movements.due(now, limit, since)).map((m) => m.orderId);
  expect(await due(1, youngSince)).toEqual([young]);
  expect(await due(3, youngSince)).toEqual([young, oldest, older]);
  // By due time alone, the young one would have come last.
  expect(await due(3, 0)).toEqual([oldest, older, young]);
});

it('a pick leases its rows in one statement: only those still in the state read and held by no one, in the order read', async () => {
  t = tempDatabase();
  await seedDemoCatalogue(new SqliteSql(t.db), demoSeedOptions('sandbox', 8000)!);
  const orders = new OrderStore(new SqliteSql(t.db));
  const product = (await orders.productForOrder(DEMO_PRODUCT_IDS[0]!))!;
  const now = 10_000_000;
  for (let i = 0; i < 4; i++) {
    await orders.createOrderWithPayment({
      id: randomUUID(), idempotencyKey: null, productId: product.id, sellerId: product.sellerId, qty: 1, unitPriceMinor: 1000, amountMinor: 1000,
      currency: 'EUR', sellerShareBps: 8000, sellerAmountMinor: 800, platformAmountMinor: 200, payerMsisdn: '256772123456',
    }, randomUUID(), now - 1000 + i, { holder: 'test', until: now - 500 + i }, 'momo');
  }
  const [a, b, c, d] = await orders.movements.due(now, 4, 0);
  expect(d).toBeDefined();
  // b is held by another process until later; c moved on since it was read.
  t.db.prepare('UPDATE movements SET leased_until = ?, leased_by = ? WHERE id = ?').run(now + 60_000, 'another', b!.id);
  t.db.prepare(`UPDATE movements SET status = 'pending' WHERE id = ?`).run(c!.id);
  const taken = await orders.movements.lease([d!, c!, b!, a!], { holder: 'worker', until: now + 60_000 }, now);
  expect(taken.map((m) => m.id)).toEqual([d!.id, a!.id]);
  const held = t.db.prepare('SELECT id, leased_by AS holder, next_check_at AS at FROM movements ORDER BY id').all();
  expect(held).toEqual([
    { id: a!.id, holder: 'worker', at: now + 60_000 },
    { id: b!.id, holder: 'another', at: now - 499 },
    { id: c!.id, holder: 'test', at: now - 498 },
    { id: d!.id, holder: 'worker', at: now + 60_000 },
  ]);
});
