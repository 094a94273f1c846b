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
  seedDemoCatalogue(t.db, demoSeedOptions('sandbox', 8000)!);
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
