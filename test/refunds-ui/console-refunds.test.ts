// The console's refunds (issue #14), on the real store and the embedded sandbox: an operator asks
// for a partial refund on the order's page (the form prefilled with what is left), sees it wait
// for a second person with no buttons of their own, an owner approves it on Refunds to approve,
// the money goes back, and the shopper's page and JSON and the payer's handset show it. A bad
// amount comes back by the field and writes nothing; a decline says no money moved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, demoProductId, pay, waitForOrder } from '../checkout/helpers';
import { auditRows, csrfOf, signedIn, startConsole, type Browser, type ConsoleStore } from '../console/helpers';

let store: ConsoleStore;
let operator: Browser;
let owner: Browser;
beforeAll(async () => {
  store = await startConsole();
  operator = await signedIn(store, 'operator');
  owner = await signedIn(store, 'owner');
});
afterAll(() => store.close());

async function settledOrder(phone: string) {
  const placed = await pay(store, { productId: demoProductId, qty: 2, phone });
  expect(placed.status).toBe(202);
  return waitForOrder(store, placed.body.id as string, (o) => o.status === 'settled');
}

const refundRows = () => store.sokoni.db.prepare('SELECT id, state, amount_minor AS amountMinor FROM refunds ORDER BY created_at').all() as { id: string; state: string; amountMinor: number }[];

describe('refunds in the console', () => {
  it('an operator asks, waits for a second person, an owner approves, and the shopper and the handset see the money back', async () => {
    const order = await settledOrder('256772000301');
    const page = await operator.get(`/admin/orders/${order.id}`);
    expect(page.status).toBe(200);
    const left = (order.amountMinor / 100).toFixed(2);
    expect(page.text).toContain(`id="refund-amount" name="amount" inputmode="decimal" autocomplete="off" required value="${left}"`);
    expect(page.text).toContain('Amount (EUR)');

    const asked = await operator.post(`/admin/orders/${order.id}/refunds`, { amount: '2.50', reason: 'One item arrived broken' }, { from: `/admin/orders/${order.id}` });
    expect(asked.status).toBe(303);
    expect(asked.headers.location).toBe(`/admin/orders/${order.id}`);
    const [request] = refundRows();
    expect(request).toMatchObject({ state: 'pending_approval', amountMinor: 250 });
    expect(await count(store, "movements WHERE kind = 'refund'")).toBe(0);

    // The requester: the wait in words, and no buttons on their own request.
    const own = await operator.get(`/admin/orders/${order.id}`);
    expect(own.text).toContain('Waiting for a second person to approve it');
    expect(own.text).toContain('No money has moved.');
    expect(own.text).toContain('Waiting for a second person: you asked for it');
    const list = await operator.get('/admin/refunds');
    expect(list.text).toContain('€2.50');
    expect(list.text).toContain('One item arrived broken');
    expect(list.text).not.toContain(`/admin/refunds/${request!.id}/approve`);
    expect(list.text).toContain('you asked for this refund, so someone else approves or declines it');
    // Nor does the route let them: the service refuses, and nothing is sent.
    const self = await operator.post(`/admin/refunds/${request!.id}/approve`, {}, { from: '/admin/refunds' });
    expect(self.status).toBe(403);
    expect(self.text).toContain('A second person must approve a refund');
    expect(await count(store, "movements WHERE kind = 'refund'")).toBe(0);

    // The shopper hears nothing before MoMo has it.
    const before = (await store.http.get(`/orders/${order.id}`).set('accept', 'application/json').expect(200)).body;
    expect(before.refunds).toEqual([]);
    expect(before.refundOpen).toBe(true);

    const second = await owner.get('/admin/refunds');
    expect(second.text).toContain(`/admin/refunds/${request!.id}/approve`);
    const approved = await owner.post(`/admin/refunds/${request!.id}/approve`, {}, { from: '/admin/refunds' });
    expect(approved.status, approved.text.slice(0, 3000)).toBe(303);
    expect(auditRows(store, 'refund.approve').map((r) => [r.actorEmail, r.outcome])).toEqual([['operator@example.com', 'refused'], ['owner@example.com', 'done']]);

    const shopper = await waitForOrder(store, order.id, (o) => (o as unknown as { refundedMinor: number }).refundedMinor === 250);
    expect(shopper).toMatchObject({ status: 'settled', refundOpen: false, refunds: [{ status: 'refunded', amount: '2.50', amountMinor: 250, currency: 'EUR' }] });
    const shopperPage = await store.http.get(`/orders/${order.id}`).expect(200);
    expect(shopperPage.text).toMatch(/Refunded €2\.50 on \d{1,2} \w{3} \d{4}/);
    expect(shopperPage.text).toContain('Paid, and the seller has been paid');

    const done = await operator.get(`/admin/orders/${order.id}`);
    expect(done.text).toContain('Refunded: €2.50 is back in the shopper');
    expect(done.text).toContain('approved by owner@example.com');
    const wallet = await store.http.get('/sandbox/handset/api/wallet?msisdn=256772000301').expect(200);
    expect(wallet.body.messages[0].text).toMatch(/^You have received 2\.50 EUR, a refund of your payment of/);
  });

  it('a refused amount comes back on the order page by the field and writes nothing; a decline says no money moved', async () => {
    const order = await settledOrder('256772000302');
    const rows = refundRows().length;
    for (const [amount, words] of [['abc', 'The amount must be an amount in EUR'], ['999999', 'amountMinor must be at most']] as const) {
      const refused = await operator.post(`/admin/orders/${order.id}/refunds`, { amount, reason: 'Too much' }, { from: `/admin/orders/${order.id}` });
      expect([400, 422]).toContain(refused.status);
      expect(refused.text).toContain(words);
      expect(refused.text).toContain('id="refund-amount-error"');
      expect(refused.text).toContain(`value="${amount}"`);
    }
    expect(refundRows()).toHaveLength(rows);

    await operator.post(`/admin/orders/${order.id}/refunds`, { amount: '1', reason: 'Goodwill' }, { from: `/admin/orders/${order.id}` });
    const request = refundRows().at(-1)!;
    const declined = await owner.post(`/admin/refunds/${request.id}/decline`, { reason: 'Not our fault' }, { from: '/admin/refunds' });
    expect(declined.status).toBe(303);
    const page = await operator.get(`/admin/orders/${order.id}`);
    expect(page.text).toContain('Declined by owner@example.com: Not our fault. No money moved.');
    expect(csrfOf(page.text)).toBeTruthy();
  });
});
