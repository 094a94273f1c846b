// What an order's writes cost in statements (issue #16): each one a round trip on PostgreSQL and
// the hot path's CPU on SQLite. Counted, never timed; the history they write is what it was.
import { randomUUID } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { DEMO_PRODUCT_IDS, OrderStore } from '../../src/db';
import { countingSql } from './counting-sql';
import { testSql, type TestSql } from './test-database';

let t: TestSql | undefined;
afterEach(() => t?.close());

it("placing an order writes it, its collection, its attempt and both first events in four statements, the order's event first", async () => {
  t = await testSql();
  await t.seedDemo();
  const counted = countingSql(t.sql);
  const orders = new OrderStore(counted);
  const product = (await orders.productForOrder(DEMO_PRODUCT_IDS[0]!))!;
  const id = randomUUID();
  const reference = randomUUID();
  counted.statements.length = 0;
  await orders.createOrderWithPayment({
    id, idempotencyKey: null, productId: product.id, sellerId: product.sellerId, qty: 1, unitPriceMinor: 1000, amountMinor: 1000,
    currency: 'EUR', sellerShareBps: 8000, sellerAmountMinor: 800, platformAmountMinor: 200, payerMsisdn: '256772123456',
  }, reference, 5_000, { holder: 'test', until: 65_000 }, 'momo');
  expect(counted.statements.map((text) => text.split(' ').slice(0, 3).join(' '))).toEqual([
    'INSERT INTO orders', 'INSERT INTO movements', 'INSERT INTO movement_attempts', 'INSERT INTO order_events',
  ]);
  expect(await t.sql.all('SELECT entity, from_state AS "from", to_state AS "to", detail, at FROM order_events WHERE order_id = ? ORDER BY id', [id])).toEqual([
    { entity: 'order', from: null, to: 'pending', detail: null, at: 5_000 },
    { entity: 'collection', from: null, to: 'sending', detail: reference, at: 5_000 },
  ]);
});

it('a payout written later records its one event alone', async () => {
  t = await testSql();
  await t.seedDemo();
  const orders = new OrderStore(t.sql);
  const product = (await orders.productForOrder(DEMO_PRODUCT_IDS[0]!))!;
  const id = randomUUID();
  await orders.createOrderWithPayment({
    id, idempotencyKey: null, productId: product.id, sellerId: product.sellerId, qty: 1, unitPriceMinor: 1000, amountMinor: 1000,
    currency: 'EUR', sellerShareBps: 8000, sellerAmountMinor: 800, platformAmountMinor: 200, payerMsisdn: '256772123456',
  }, randomUUID(), 5_000, { holder: 'test', until: 65_000 }, 'momo');
  const payoutReference = randomUUID();
  await orders.movements.insert({
    orderId: id, kind: 'payout', provider: 'momo', partyMsisdn: '256772000001', amountMinor: 800, currency: 'EUR', referenceId: payoutReference,
  }, { holder: 'test', until: 70_000 }, 6_000);
  expect(await t.sql.all('SELECT entity, to_state AS "to", detail FROM order_events WHERE order_id = ? ORDER BY id', [id])).toEqual([
    { entity: 'order', to: 'pending', detail: null },
    { entity: 'collection', to: 'sending', detail: expect.any(String) as string },
    { entity: 'payout', to: 'sending', detail: payoutReference },
  ]);
});

it('answers each movement as written, the same row a read finds, so a send needs no read back', async () => {
  t = await testSql();
  await t.seedDemo();
  const orders = new OrderStore(t.sql);
  const product = (await orders.productForOrder(DEMO_PRODUCT_IDS[0]!))!;
  const id = randomUUID();
  const collection = await orders.createOrderWithPayment({
    id, idempotencyKey: null, productId: product.id, sellerId: product.sellerId, qty: 1, unitPriceMinor: 1000, amountMinor: 1000,
    currency: 'EUR', sellerShareBps: 8000, sellerAmountMinor: 800, platformAmountMinor: 200, payerMsisdn: '256772123456',
  }, randomUUID(), 5_000, { holder: 'test', until: 65_000 }, 'momo');
  expect(collection).toEqual(await orders.movements.of(id, 'collection'));
  const payout = await orders.movements.insert({
    orderId: id, kind: 'payout', provider: 'momo', partyMsisdn: '256772000001', amountMinor: 800, currency: 'EUR', referenceId: randomUUID(),
  }, { holder: 'test', until: 70_000 }, 6_000);
  expect(payout).toEqual(await orders.movements.of(id, 'payout'));
  expect(payout).toMatchObject({ status: 'sending', sends: 1, nextCheckAt: 70_000, leasedUntil: 70_000, leasedBy: 'test', createdAt: 6_000 });
});
