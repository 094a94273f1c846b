// An order's snapshot says whether it has any refund, so the shopper's order JSON and page read
// the refunds only then (issue #16: most orders have none, and a long-poll answers many times).
import { afterEach, describe, expect, it } from 'vitest';
import { as, settledOrder, startRefundStore, type RefundStore } from './helpers';

let store: RefundStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

describe("an order's refunds flag", () => {
  it('is off for an order never refunded, and on with the refund open in the order JSON once one is asked for', async () => {
    store = await startRefundStore();
    const { order } = await settledOrder(store, '256772000391');
    expect(await store.sokoni.checkout.snapshot(order.id)).toMatchObject({ hasRefunds: false, productName: expect.any(String), sellerName: expect.any(String) });
    expect((await store.http.get(`/orders/${order.id}`).set('accept', 'application/json').expect(200)).body.refunds).toEqual([]);

    await store.http.post(`/api/orders/${order.id}/refunds`).set(as(store, 'operator')).send({ amountMinor: 300, reason: 'one item broken' }).expect(202);
    expect((await store.sokoni.checkout.snapshot(order.id))?.hasRefunds).toBe(true);
    const shown = await store.http.get(`/orders/${order.id}`).set('accept', 'application/json').expect(200);
    // A refund waiting for approval is not shown to the shopper, but keeps the order's stream open.
    expect(shown.body).toMatchObject({ refunds: [], refundOpen: true });
  });

  it('answers 404 for a long-poll of an order that does not exist, and the order itself once it is final', async () => {
    store = await startRefundStore();
    const { order } = await settledOrder(store, '256772000392');
    await store.http.get('/orders/00000000-0000-4000-8000-000000000000').set('accept', 'application/json').set('prefer', 'wait=1').expect(404);
    const polled = await store.http.get(`/orders/${order.id}`).set('accept', 'application/json').set('prefer', 'wait=5').expect(200);
    expect(polled.body).toMatchObject({ id: order.id, status: 'settled', productName: expect.any(String) });
  });
});
