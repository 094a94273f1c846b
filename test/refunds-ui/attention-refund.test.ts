// Needs attention's one-click refund (issue #14): MoMo took 14.00 for an order of 25.00 (the
// amount-mismatch case), so the order failed and the money is held for the shopper. The row offers
// "Refund €14.00"; one click asks for all of it, a second person approves, and MoMo gives exactly
// that back to the number that paid; the row then says a refund is asked for or given.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoProductId, pay, waitForOrder } from '../checkout/helpers';
import { signedIn, startConsole, type Browser, type ConsoleStore } from '../console/helpers';

let store: ConsoleStore;
let operator: Browser;
let owner: Browser;
beforeAll(async () => {
  store = await startConsole({ SANDBOX_APPROVAL: 'handset' });
  operator = await signedIn(store, 'operator');
  owner = await signedIn(store, 'owner');
});
afterAll(() => store.close());

describe('money that arrived against a failed order', () => {
  it('is refunded whole in one click from Needs attention, once a second person approves', async () => {
    const payer = '256772000401';
    const placed = await pay(store, { productId: demoProductId, qty: 2, phone: payer });
    expect(placed.status).toBe(202);
    const [request] = store.control.pending(payer);
    // MoMo's record says 14.00 before the payer approves: the wallet pays 14.00, not the order's amount.
    store.control.rewriteTransaction(request!.referenceId, { amount: '14.00' });
    store.control.approve(request!.referenceId, '1234');
    await waitForOrder(store, placed.body.id as string, (o) => o.status === 'failed');

    const attention = await operator.get('/admin/attention');
    expect(attention.text).toContain(`action="/admin/orders/${placed.body.id}/refunds/whole"`);
    expect(attention.text).toContain('Refund €14.00');
    expect(attention.text).toContain('(MoMo took €14.00)');

    const asked = await operator.post(`/admin/orders/${placed.body.id}/refunds/whole`, { back: 'attention' }, { from: '/admin/attention' });
    expect(asked.status).toBe(303);
    expect(asked.headers.location).toBe('/admin/attention');
    const after = await operator.get('/admin/attention');
    expect(after.text).not.toContain('Refund €14.00');
    expect(after.text).toContain('a refund is asked for or given');

    const [refund] = (await store.sokoni.refunds.ofOrder(placed.body.id as string))!;
    expect(refund).toMatchObject({ state: 'pending_approval', amountMinor: 1400, fromSuspense: true });
    expect((await owner.post(`/admin/refunds/${refund!.id}/approve`, {}, { from: '/admin/refunds' })).status).toBe(303);
    await waitForOrder(store, placed.body.id as string, (o) => (o as unknown as { refundedMinor: number }).refundedMinor === 1400);
    const refunds = store.control.transactions({ party: payer }).filter((t) => t.kind === 'refund');
    expect(refunds.map((t) => [t.status, t.amount])).toEqual([['SUCCESSFUL', '14.00']]);
    const page = await store.http.get(`/orders/${placed.body.id}`);
    expect(page.text).toContain('Refunded €14.00 on');
    // The promise to send it back is kept, so it is no longer made.
    expect(page.text).not.toContain('the shop will send it back');
  });
});
