// The seller portal's service over the real Sokoni (embedded sandbox, SQLite file, real money
// flow): each seller sees only their own sales, payouts, statement and products; a failed payout
// is explained; the statement's balances carry over; a new price applies to new orders only.
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionContext } from '../../src/accounts';
import { DomainError } from '../../src/domain-error';
import { ADMIN_TOKEN, isFinal, pay, sellerWithProduct, startStore, waitForOrder, type Store } from '../checkout/helpers';

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const shopper = '256772000999';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

function sellerContext(sellerId: string): ActionContext {
  return { caller: { personId: null, email: `seller-${sellerId.slice(0, 8)}@sellers.test`, role: 'viewer', via: 'session', mustEnrol: false }, address: '127.0.0.1' };
}

async function sale(s: Store, productId: string, qty = 1) {
  const placed = await pay(s, { productId, qty, phone: shopper }, 5);
  return waitForOrder(s, placed.body.id, isFinal);
}

async function refusal(fn: () => Promise<unknown>): Promise<DomainError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('seller portal service', () => {
  it("shows a seller their sale with fee, share and payout state, and never another seller's order, payout, statement line or product", async () => {
    store = await startStore();
    const a = await sellerWithProduct(store, '256772000101', 1000);
    const b = await sellerWithProduct(store, '256772000202', 1500);
    const orderA = await sale(store, a.productId, 2);
    const orderB = await sale(store, b.productId);
    expect(orderA.status).toBe('settled');
    expect(orderB.status).toBe('settled');
    const portal = store.sokoni.sellers;

    const { sales } = await portal.sales(a.sellerId, {});
    expect(sales.map((s) => s.orderId)).toEqual([orderA.id]);
    expect(sales[0]).toMatchObject({ qty: 2, unitPriceMinor: 1000, amountMinor: 2000, platformAmountMinor: 400, sellerAmountMinor: 1600, currency: 'EUR' });
    expect(sales[0]!.payout).toMatchObject({ state: 'paid', label: 'Paid' });
    expect(sales[0]!.paymentTransactionId).toMatch(/\d+/);
    expect(sales[0]!.payoutTransactionId).toMatch(/\d+/);

    const home = await portal.home(a.sellerId);
    expect(home.figures).toEqual([{ currency: 'EUR', owedMinor: 0, onTheWayMinor: 0, waitingFundsMinor: 0, paidThisMonthMinor: 1600 }]);
    expect(home.notices).toEqual([]);
    expect(home.nextPayout).toBeNull();

    // The sale opens onto what it put on the seller's account: their share, then its payout.
    expect((await portal.sale(a.sellerId, orderA.id)).lines.map((l) => [l.label, l.amountMinor])).toEqual([['Sale', 1600], ['Payout', -1600]]);

    const payoutOfB = (await portal.payouts(b.sellerId, {})).payouts[0]!;
    expect(payoutOfB.orderId).toBe(orderB.id);
    expect((await refusal(() => portal.sale(a.sellerId, orderB.id))).kind).toBe('not_found');
    expect((await refusal(() => portal.payout(a.sellerId, String(payoutOfB.id)))).kind).toBe('not_found');
    expect((await refusal(() => portal.product(a.sellerId, b.productId))).kind).toBe('not_found');
    expect((await refusal(() => portal.updateProduct(sellerContext(a.sellerId), a.sellerId, b.productId, { priceMinor: 1 }))).kind).toBe('not_found');
    expect((await portal.product(b.sellerId, b.productId)).priceMinor).toBe(1500);
    expect((await portal.payouts(a.sellerId, {})).payouts.map((p) => p.orderId)).toEqual([orderA.id]);
    expect((await portal.products(a.sellerId)).map((p) => p.id)).toEqual([a.productId]);

    const statement = await portal.statement(a.sellerId, {});
    const lines = statement.currencies.flatMap((c) => c.lines);
    expect(lines.map((l) => [l.kind, l.orderId, l.amountMinor])).toEqual([['collection', orderA.id, 1600], ['payout', orderA.id, -1600]]);
    const csv = portal.statementCsv(statement);
    expect(csv).toContain(`,collection,${orderA.id},,16.00,16.00,EUR`);
    expect(csv).not.toContain(orderB.id);
  });

  it('explains a failed payout by its reason kind, carries the balance into the next period, and shows a claw-back as its own line', async () => {
    store = await startStore();
    // The sandbox refuses transfers to 46733123457 with PAYEE_NOT_FOUND: no retry can help.
    const c = await sellerWithProduct(store, '46733123457', 1000);
    const order = await sale(store, c.productId);
    expect(order.status).toBe('payout_failed');
    const portal = store.sokoni.sellers;

    const [failed] = (await portal.sales(c.sellerId, {})).sales;
    expect(failed!.payout.state).toBe('failed');
    expect(failed!.payout.detail).toContain('Your payout number is not registered for MTN MoMo.');
    expect(failed!.payout.detail).toContain('Your share stays owed to you.');
    const home = await portal.home(c.sellerId);
    expect(home.figures[0]).toMatchObject({ owedMinor: 800, onTheWayMinor: 0, paidThisMonthMinor: 0 });
    expect(home.notices.map((n) => n.text)).toEqual([expect.stringContaining('Your payout number is not registered for MTN MoMo.')]);
    const payout = await portal.payout(c.sellerId, String((await portal.payouts(c.sellerId, {})).payouts[0]!.id));
    expect(payout.tries).toHaveLength(1);
    expect(payout.tries[0]!.reason).toBe('PAYEE_NOT_FOUND');

    // A later period opens with what was owed before it.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const since = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    // The shop takes back more than it owes: e.g. a refund of a sale already paid out elsewhere.
    await store.http.post('/api/books/journals').set(auth).send({
      currency: 'EUR', note: 'Refund of a sale already paid out',
      lines: [{ account: `seller_payable:${c.sellerId}`, amountMinor: 1000 }, { account: 'collection', amountMinor: -1000 }],
    }).expect(201);

    const later = await portal.statement(c.sellerId, { from: since });
    expect(later.currencies).toEqual([expect.objectContaining({ currency: 'EUR', openingMinor: 800, closingMinor: -200 })]);
    expect(later.currencies[0]!.lines.map((l) => [l.kind, l.amountMinor, l.balanceMinor])).toEqual([['operator', -1000, -200]]);
    const whole = await portal.statement(c.sellerId, {});
    expect(whole.currencies[0]).toMatchObject({ openingMinor: 0, closingMinor: -200 });

    const adjustments = await portal.adjustments(c.sellerId, {});
    expect(adjustments.lines).toEqual([expect.objectContaining({ kind: 'operator', label: 'Correction by the shop', amountMinor: -1000, note: 'Refund of a sale already paid out' })]);
    expect((await portal.home(c.sellerId)).notices.map((n) => n.text)).toContainEqual(expect.stringContaining('You owe the shop €2.00'));
  });

  it("says a payout waits for the shop's funds, on the sale, in the home figures and as the next payout", async () => {
    store = await startStore();
    const a = await sellerWithProduct(store, '256772000505', 1000);
    store.control.setBalance({ account: 'disbursement' }, 'EUR', '0');
    const placed = await pay(store, { productId: a.productId, qty: 1, phone: shopper }, 5);
    await waitForOrder(store, placed.body.id as string, (o) => o.payout?.status === 'waiting_funds');
    const portal = store.sokoni.sellers;

    expect((await portal.sales(a.sellerId, {})).sales[0]!.payout).toMatchObject({ state: 'waiting_funds', label: "Waiting for the shop's funds" });
    const home = await portal.home(a.sellerId);
    expect(home.figures).toEqual([{ currency: 'EUR', owedMinor: 800, onTheWayMinor: 0, waitingFundsMinor: 800, paidThisMonthMinor: 0 }]);
    expect(home.nextPayout).toMatchObject({ orderId: placed.body.id, amountMinor: 800, words: { state: 'waiting_funds' } });
  });

  it('a seller changes their price and availability, audited; orders placed before keep their price, new ones pay the new one', async () => {
    store = await startStore();
    const a = await sellerWithProduct(store, '256772000303', 1000);
    const before = await sale(store, a.productId);
    const portal = store.sokoni.sellers;

    const changed = await portal.updateProduct(sellerContext(a.sellerId), a.sellerId, a.productId, { priceMinor: 2500, description: 'Now bigger' });
    expect(changed).toMatchObject({ priceMinor: 2500, description: 'Now bigger', active: true });
    const after = await sale(store, a.productId);
    const sales = new Map((await portal.sales(a.sellerId, {})).sales.map((s) => [s.orderId, s]));
    expect(sales.get(before.id)).toMatchObject({ unitPriceMinor: 1000, amountMinor: 1000 });
    expect(sales.get(after.id)).toMatchObject({ unitPriceMinor: 2500, amountMinor: 2500 });

    const audit = await store.sokoni.sql.all(`SELECT action, object_id AS objectId, before, after, outcome FROM audit_log WHERE action = 'product.seller_update'`);
    expect(audit).toEqual([{
      action: 'product.seller_update', objectId: a.productId, outcome: 'done',
      before: JSON.stringify({ description: '', priceMinor: 1000, active: true }),
      after: JSON.stringify({ description: 'Now bigger', priceMinor: 2500, active: true }),
    }]);

    await portal.updateProduct(sellerContext(a.sellerId), a.sellerId, a.productId, { active: false });
    expect((await pay(store, { productId: a.productId, qty: 1, phone: shopper })).status).toBe(422);
  });

  it('pages a long list of sales by a cursor, and refuses a forged cursor by its field', async () => {
    store = await startStore();
    const a = await sellerWithProduct(store, '256772000404', 1000);
    const ids: string[] = [];
    // 26 sales: one more than a page.
    for (let i = 0; i < 26; i++) ids.push((await pay(store, { productId: a.productId, qty: 1, phone: `2567720010${String(i).padStart(2, '0')}` }, 5)).body.id as string);
    for (const id of ids) await waitForOrder(store, id, isFinal);
    const portal = store.sokoni.sellers;
    const first = await portal.sales(a.sellerId, {});
    expect(first.sales).toHaveLength(25);
    expect(first.next).not.toBeNull();
    const second = await portal.sales(a.sellerId, { cursor: first.next });
    expect(second.next).toBeNull();
    expect(new Set([...first.sales, ...second.sales].map((s) => s.orderId))).toEqual(new Set(ids));
    const forged = await refusal(() => portal.sales(a.sellerId, { cursor: 'bm9wZQ' }));
    expect(forged).toMatchObject({ kind: 'invalid', field: 'cursor' });
    expect(await refusal(() => portal.sales(a.sellerId, { to: '2026-02-31' }))).toMatchObject({ kind: 'invalid', field: 'to' });
  });
});
