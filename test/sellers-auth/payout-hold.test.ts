// A changed payout number holds the seller's payouts (real store, sandbox and worker): changed by
// the seller on their account page (checked with MoMo, audited, shown to them), the payout waits
// unsent; the seller and an operator cannot confirm the number, an owner can, and the payout then
// goes to the new number. Changed by an operator with a short hold, the payout goes by itself
// when the hold ends.
import { afterEach, describe, expect, it } from 'vitest';
import { pay, waitForOrder } from '../checkout/helpers';
import { auditRows, signedIn, startConsole, type Browser, type ConsoleStore } from '../console/helpers';
import { sellerSignedIn } from './helpers';

let store: ConsoleStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

const SHOPPER = '46733900499';

async function productOf(s: ConsoleStore, operator: Browser, sellerId: string): Promise<string> {
  const res = await operator.post('/admin/products', { sellerId, name: 'Kikoi cloth', description: '', price: '10.00', currency: 'EUR' }, { from: '/admin/products' });
  expect(res.status).toBe(201);
  return /action="\/admin\/products\/([0-9a-f-]{36})"/.exec(res.text)![1]!;
}

const payout = (s: ConsoleStore, orderId: string) =>
  s.sokoni.db.prepare(`SELECT status, sends, party_msisdn AS party, next_check_at AS nextCheckAt FROM movements WHERE order_id = ? AND kind = 'payout'`).get(orderId) as
    | { status: string; sends: number; party: string; nextCheckAt: number | null }
    | undefined;

const holdUntil = (s: ConsoleStore, sellerId: string) =>
  (s.sokoni.db.prepare('SELECT payout_hold_until AS t FROM sellers WHERE id = ?').get(sellerId) as { t: number | null }).t;

/** Places an order and waits until its payout is written and put off to the hold's end, unsent. */
async function heldOrder(s: ConsoleStore, productId: string, sellerId: string): Promise<string> {
  const placed = await pay(s, { productId, qty: 1, phone: SHOPPER });
  const orderId = placed.body.id as string;
  expect(orderId).toBeTruthy();
  const until = holdUntil(s, sellerId)!;
  const deadline = Date.now() + 15_000;
  while ((payout(s, orderId)?.nextCheckAt ?? 0) < until && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(payout(s, orderId)).toMatchObject({ status: 'sending', sends: 0, nextCheckAt: until });
  return orderId;
}

describe('the payout-number hold', () => {
  it('holds payouts after the seller changes their number, until an owner (not the seller, not an operator) confirms it', async () => {
    const s = (store = await startConsole());
    const operator = await signedIn(s, 'operator');
    const { sellerId, browser: seller } = await sellerSignedIn(s, operator, 'Halima Cloth', '46733900401');
    const productId = await productOf(s, operator, sellerId);

    const changed = await seller.post('/seller/account/number', { msisdn: '+46 733 900 402' }, { from: '/seller/account' });
    expect(changed.status).toBe(200);
    expect(changed.text).toContain('is an active wallet in the name Sand Box');
    expect(changed.text).toContain('id="number-hold"');
    expect(auditRows(s, 'seller.number_change').at(-1)).toMatchObject({ actorRole: 'seller', objectId: sellerId, outcome: 'done' });
    expect(JSON.parse(auditRows(s, 'seller.number_change').at(-1)!.after!)).toMatchObject({ msisdn: '46733900402', walletName: 'Sand Box' });
    const until = holdUntil(s, sellerId)!;
    expect(until - Date.now()).toBeGreaterThan(23 * 3_600_000);

    const orderId = await heldOrder(s, productId, sellerId);
    expect((await waitForOrder(s, orderId, () => true)).status).toBe('paid');
    expect((await seller.get('/seller/account')).text).toContain('id="number-hold"');
    const page = await operator.get(`/admin/sellers/${sellerId}`);
    expect(page.text).toContain('id="number-hold"');
    expect(page.text).not.toContain('confirm-number');

    // The seller cannot vouch for their own change, nor can an operator.
    expect((await seller.post(`/admin/sellers/${sellerId}/confirm-number`, {}, { from: '/seller/account' })).status).toBe(403);
    expect((await operator.post(`/admin/sellers/${sellerId}/confirm-number`, {}, { from: `/admin/sellers/${sellerId}` })).status).toBe(403);
    expect(holdUntil(s, sellerId)).toBe(until);
    expect(payout(s, orderId)).toMatchObject({ sends: 0 });

    const owner = await signedIn(s, 'owner');
    expect((await owner.get(`/admin/sellers/${sellerId}`)).text).toContain('confirm-number');
    expect((await owner.post(`/admin/sellers/${sellerId}/confirm-number`, {}, { from: `/admin/sellers/${sellerId}` })).status).toBe(303);
    expect(auditRows(s, 'seller.number_confirm').at(-1)).toMatchObject({ actorEmail: 'owner@example.com', objectId: sellerId, outcome: 'done' });
    const done = await waitForOrder(s, orderId, (o) => o.status === 'settled');
    expect(done.payout).toMatchObject({ status: 'successful' });
    expect(payout(s, orderId)).toMatchObject({ party: '46733900402' });
    expect(s.control.transactions({ product: 'disbursement', party: '46733900402', status: 'SUCCESSFUL' })).toHaveLength(1);
    expect((await seller.get('/seller/account')).text).not.toContain('id="number-hold"');
  });

  it('refuses a new number whose wallet is not active, and keeps the old one without a hold', async () => {
    const s = (store = await startConsole());
    const operator = await signedIn(s, 'operator');
    const { sellerId, browser: seller } = await sellerSignedIn(s, operator, 'Careful Seller', '46733900403');
    const res = await seller.post('/seller/account/number', { msisdn: '46733123451' }, { from: '/seller/account' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('is not an active MoMo wallet');
    expect(s.sokoni.db.prepare('SELECT msisdn, payout_hold_until AS hold FROM sellers WHERE id = ?').get(sellerId)).toEqual({ msisdn: '46733900403', hold: null });
    expect(auditRows(s, 'seller.number_change').at(-1)).toMatchObject({ actorRole: 'seller', outcome: 'refused' });
  });

  it('lets a held payout go by itself when the hold ends (an operator changed the number)', async () => {
    // 0.002 h is 7.2 s: long enough to see the payout held, short enough to see it go.
    const s = (store = await startConsole({ PAYOUT_NUMBER_HOLD_H: '0.002' }));
    const operator = await signedIn(s, 'operator');
    const { sellerId } = await sellerSignedIn(s, operator, 'Moving Seller', '46733900404');
    const productId = await productOf(s, operator, sellerId);
    const moved = await operator.post(`/admin/sellers/${sellerId}`, { name: 'Moving Seller', msisdn: '46733900405', share: '80' }, { from: `/admin/sellers/${sellerId}` });
    expect(moved.status).toBe(200);
    expect(moved.text).toContain('id="number-hold"');
    const orderId = await heldOrder(s, productId, sellerId);
    const done = await waitForOrder(s, orderId, (o) => o.status === 'settled', 30_000);
    expect(done.payout).toMatchObject({ status: 'successful' });
    expect(payout(s, orderId)).toMatchObject({ party: '46733900405' });
  });
});
