// Refunds end to end (issue #14): the real Sokoni on the embedded sandbox, people with API keys,
// and the money checked where it lands: the sandbox's transactions and the books.
import { afterEach, describe, expect, it } from 'vitest';
import { auditRowsOf, signedIn } from '../console/helpers';
import { sellerWithProduct, waitForOrder } from '../checkout/helpers';
import {
  as, orderOf, refundApproved, sandboxRefunds, sellerOwed, settledOrder, startRefundStore, trialBalance, waitForRefund, type RefundStore,
} from './helpers';

let store: RefundStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

describe('a refund after the payout', () => {
  it('gives the payer back part of a settled order, once a second person approves, and claws the seller part back in the books', async () => {
    store = await startRefundStore();
    const { order, sellerId } = await settledOrder(store, '256772000301');
    const asked = await store.http.post(`/api/orders/${order.id}/refunds`).set(as(store, 'operator')).send({ amountMinor: 300, reason: 'one item broken' }).expect(202);
    expect(asked.headers.location).toBe(`/api/refunds/${asked.body.id}`);
    expect(asked.body).toMatchObject({ state: 'pending_approval', amountMinor: 300, amount: '3.00', currency: 'EUR', sellerPartMinor: 240, platformPartMinor: 60, movement: null });
    // Nothing leaves before approval.
    expect(sandboxRefunds(store)).toHaveLength(0);
    expect((await store.sokoni.refunds.awaitingApproval()).map((r) => r.id)).toEqual([asked.body.id]);

    const approved = await store.http.post(`/api/refunds/${asked.body.id}/approve`).set(as(store, 'operator2')).send({}).expect(200);
    expect(approved.body).toMatchObject({ state: 'approved', approvedBy: 'operator2@example.com' });
    expect(await store.sokoni.refunds.awaitingApproval()).toEqual([]);
    const done = await waitForRefund(store, asked.body.id);
    expect(done).toMatchObject({ state: 'refunded', movement: { status: 'successful' } });

    const [atMomo, ...more] = sandboxRefunds(store);
    expect(more).toHaveLength(0);
    expect(atMomo).toMatchObject({ status: 'SUCCESSFUL', amount: '3.00', currency: 'EUR', referenceIdToRefund: order.payment.referenceId, version: 'v2_0' });
    expect(atMomo!.party.partyId).toBe('256772123456');
    // The seller was paid 800 and gives back 240: they owe it, to be netted from their next payouts.
    expect(await sellerOwed(store, sellerId)).toBe(-240);
    expect(await trialBalance(store)).toEqual([0]);
    expect((await auditRowsOf(store)).map((r) => r.action)).toEqual(expect.arrayContaining(['refund.request', 'refund.approve']));
    const listed = await store.http.get(`/api/orders/${order.id}/refunds`).set(as(store, 'viewer')).expect(200);
    expect(listed.body.refunds).toHaveLength(1);
    // The seller's statement shows the claw-back as its own line.
    const statement = await store.http.get(`/api/sellers/${sellerId}/statement`).set(as(store, 'owner')).expect(200);
    expect(statement.body.currencies[0].lines.map((l: { kind: string; amountMinor: number }) => [l.kind, l.amountMinor])).toEqual([['collection', 800], ['payout', -800], ['refund', -240]]);
    // Reconciliation reads the refund's reference at MoMo like any other movement's, and agrees.
    const day = new Date().toISOString().slice(0, 10);
    const next = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const run = await store.http.post('/api/books/reconciliations').set(as(store, 'owner')).send({ from: day, to: next }).expect(201);
    expect(run.body).toMatchObject({ checked: 3, matched: 3, open: 0, error: null });
    expect(run.body.items.filter((i: { kind: string }) => i.kind !== 'balance')).toEqual([]);
  });

  it('nets what the seller owes across their next two orders: the first pays nothing, the second the rest', async () => {
    store = await startRefundStore({ CLAWBACK_ALERT_DAYS: '0' });
    // 2 × 10.00: the seller got 16.00; 12.00 back takes 9.60 of it.
    const { order, sellerId, productId } = await settledOrder(store, '256772000302', 2);
    const attention = async () => (await (await signedIn(store!, 'viewer')).get('/admin/attention')).text;
    expect(await attention()).toContain('Sellers owing a claw-back (0)');
    expect((await refundApproved(store, order.id, 1200)).state).toBe('refunded');
    expect(await sellerOwed(store, sellerId)).toBe(-960);
    // Still owing after CLAWBACK_ALERT_DAYS (0 here): listed under Needs attention.
    const owing = await attention();
    expect(owing).toContain('Sellers owing a claw-back (1)');
    expect(owing).toMatch(/Seller 256772000302<\/a> · owes €9\.60/);

    const second = await orderOf(store, productId, 1, (o) => o.status === 'settled');
    expect(second.payout).toBeNull();
    expect(await sellerOwed(store, sellerId)).toBe(-160);
    const third = await orderOf(store, productId, 1, (o) => o.status === 'settled');
    expect(third.payout).toMatchObject({ status: 'successful', amountMinor: 640 });
    expect(await sellerOwed(store, sellerId)).toBe(0);
    expect(await attention()).toContain('Sellers owing a claw-back (0)');
    const transfers = store.control.transactions({ product: 'disbursement', status: 'SUCCESSFUL' }).filter((t) => t.kind === 'transfer' && t.party.partyId === '256772000302');
    expect(transfers.map((t) => t.amount).sort()).toEqual(['16.00', '6.40']);
    expect(await trialBalance(store)).toEqual([0]);
  });

  it('refunds the whole order in two parts, and refuses a cent more', async () => {
    store = await startRefundStore({ REFUND_APPROVAL_THRESHOLD: 'EUR:100000' });
    const { order, sellerId } = await settledOrder(store, '256772000303');
    const first = await store.http.post(`/api/orders/${order.id}/refunds`).set(as(store, 'operator')).send({ amountMinor: 333, reason: 'late' }).expect(202);
    // At or below the threshold one person suffices: it is approved at once.
    expect(first.body).toMatchObject({ state: 'approved', approvedBy: null, sellerPartMinor: 266, platformPartMinor: 67 });
    await waitForRefund(store, first.body.id);
    const tooMuch = await store.http.post(`/api/orders/${order.id}/refunds`).set(as(store, 'operator')).send({ amountMinor: 668, reason: 'all' }).expect(422);
    expect(tooMuch.body.error).toMatchObject({ code: 'refund_too_large', field: 'amountMinor' });
    const rest = await store.http.post(`/api/orders/${order.id}/refunds`).set(as(store, 'operator')).send({ amountMinor: 667, reason: 'all' }).expect(202);
    // The last refund takes the remainders: 800 − 266 and 200 − 67.
    expect(rest.body).toMatchObject({ sellerPartMinor: 534, platformPartMinor: 133 });
    await waitForRefund(store, rest.body.id);
    await store.http.post(`/api/orders/${order.id}/refunds`).set(as(store, 'operator')).send({ amountMinor: 1, reason: 'more' }).expect(422);
    // Both sides are back to zero: the seller owes exactly the 8.00 they were paid.
    expect(await sellerOwed(store, sellerId)).toBe(-800);
    expect(sandboxRefunds(store).reduce((sum, t) => sum + Math.round(Number(t.amount) * 100), 0)).toBe(1000);
    expect(await trialBalance(store)).toEqual([0]);
  });
});

describe('a refund before the payout has left', () => {
  it('a partial refund reduces the waiting payout by the seller part; both go once funds come', async () => {
    store = await startRefundStore();
    const { sellerId, productId } = await sellerWithProduct(store, '256772000304', 1000);
    store.control.setBalance({ account: 'disbursement' }, 'EUR', '0');
    const order = await orderOf(store, productId, 1, (o) => o.payout?.status === 'waiting_funds');
    const refund = await store.http.post(`/api/orders/${order.id}/refunds`).set(as(store, 'operator')).send({ amountMinor: 300, reason: 'scratched' }).expect(202);
    await store.http.post(`/api/refunds/${refund.body.id}/approve`).set(as(store, 'owner')).send({}).expect(200);
    const reduced = await waitForOrder(store, order.id, (o) => o.payout?.amountMinor === 560);
    expect(reduced.status).toBe('paid');
    store.control.setBalance({ account: 'disbursement' }, 'EUR', '100');
    expect((await waitForRefund(store, refund.body.id)).state).toBe('refunded');
    const settled = await waitForOrder(store, order.id, (o) => o.status === 'settled');
    expect(settled.payout).toMatchObject({ status: 'successful', amountMinor: 560 });
    expect(await sellerOwed(store, sellerId)).toBe(0);
    expect(await trialBalance(store)).toEqual([0]);
  });

  it('a full refund cancels the waiting payout: the seller is sent nothing and owes nothing', async () => {
    store = await startRefundStore();
    const { sellerId, productId } = await sellerWithProduct(store, '256772000305', 1000);
    store.control.setBalance({ account: 'disbursement' }, 'EUR', '0');
    const order = await orderOf(store, productId, 1, (o) => o.payout?.status === 'waiting_funds');
    const refund = await store.http.post(`/api/orders/${order.id}/refunds`).set(as(store, 'operator')).send({ amountMinor: 1000, reason: 'never delivered' }).expect(202);
    await store.http.post(`/api/refunds/${refund.body.id}/approve`).set(as(store, 'operator2')).send({}).expect(200);
    const settled = await waitForOrder(store, order.id, (o) => o.status === 'settled');
    expect(settled.payout).toMatchObject({ status: 'cancelled' });
    // The refund leaves the same empty disbursement account: it waits for funds as a payout does.
    await waitForRefund(store, refund.body.id, (r) => r.movement?.status === 'waiting_funds');
    store.control.setBalance({ account: 'disbursement' }, 'EUR', '100');
    expect((await waitForRefund(store, refund.body.id)).state).toBe('refunded');
    // Only the attempt refused for lack of funds ever reached MoMo.
    expect(store.control.transactions({ product: 'disbursement' }).filter((t) => t.kind === 'transfer').map((t) => t.status)).toEqual(['FAILED']);
    expect(await sellerOwed(store, sellerId)).toBe(0);
    expect(await trialBalance(store)).toEqual([0]);
  });
});

describe('a refund that fails', () => {
  it('gives the seller back what it had taken off their payout that has still not left', async () => {
    store = await startRefundStore();
    const { sellerId, productId } = await sellerWithProduct(store, '256772000310', 1000);
    store.control.setBalance({ account: 'disbursement' }, 'EUR', '0');
    const order = await orderOf(store, productId, 1, (o) => o.payout?.status === 'waiting_funds');
    // MoMo no longer holds the payment as SUCCESSFUL, so it refuses to refund it (NOT_ALLOWED).
    store.control.rewriteTransaction(order.payment.referenceId, { status: 'FAILED' });
    const refund = await store.http.post(`/api/orders/${order.id}/refunds`).set(as(store, 'operator')).send({ amountMinor: 300, reason: 'scratched' }).expect(202);
    await store.http.post(`/api/refunds/${refund.body.id}/approve`).set(as(store, 'operator2')).send({}).expect(200);
    expect((await waitForRefund(store, refund.body.id)).state).toBe('failed');
    const restored = await waitForOrder(store, order.id, (o) => o.payout?.amountMinor === 800);
    expect(restored.status).toBe('paid');
    store.control.setBalance({ account: 'disbursement' }, 'EUR', '100');
    const settled = await waitForOrder(store, order.id, (o) => o.status === 'settled');
    expect(settled.payout).toMatchObject({ status: 'successful', amountMinor: 800 });
    expect(await sellerOwed(store, sellerId)).toBe(0);
    expect(await trialBalance(store)).toEqual([0]);
  });
});

describe('a refund of an order whose payout failed for good', () => {
  it('a full refund cancels the failed payout and settles the order', async () => {
    store = await startRefundStore({ SELLER_WALLET_CHECK: 'false' });
    // A sandbox number whose transfers fail for good (PAYEE_NOT_FOUND).
    const { sellerId, productId } = await sellerWithProduct(store, '46733123457', 1000);
    const order = await orderOf(store, productId, 1, (o) => o.status === 'payout_failed');
    const refund = await store.http.post(`/api/orders/${order.id}/refunds`).set(as(store, 'operator')).send({ amountMinor: 1000, reason: 'seller unreachable' }).expect(202);
    await store.http.post(`/api/refunds/${refund.body.id}/approve`).set(as(store, 'operator2')).send({}).expect(200);
    expect((await waitForRefund(store, refund.body.id)).state).toBe('refunded');
    const settled = await waitForOrder(store, order.id, (o) => o.status === 'settled');
    expect(settled.payout).toMatchObject({ status: 'cancelled' });
    expect(await sellerOwed(store, sellerId)).toBe(0);
    expect(await trialBalance(store)).toEqual([0]);
  });
});

describe('maker-checker', () => {
  it('refuses self-approval (403, audited), lets a second person decline, and never sends either', async () => {
    store = await startRefundStore();
    const { order } = await settledOrder(store, '256772000306');
    const asked = await store.http.post(`/api/orders/${order.id}/refunds`).set(as(store, 'operator')).send({ amountMinor: 500, reason: 'asked twice' }).expect(202);
    // One open refund per order: a second waits until the first is final.
    const second = await store.http.post(`/api/orders/${order.id}/refunds`).set(as(store, 'operator2')).send({ amountMinor: 100, reason: 'also' }).expect(409);
    expect(second.body.error.code).toBe('refund_open');
    const own = await store.http.post(`/api/refunds/${asked.body.id}/approve`).set(as(store, 'operator')).send({}).expect(403);
    expect(own.body.error.code).toBe('own_refund');
    expect(await auditRowsOf(store, 'refund.approve')).toMatchObject([{ actorEmail: 'operator@example.com', outcome: 'refused', objectId: asked.body.id }]);
    // A viewer can see refunds but not decide them.
    await store.http.post(`/api/refunds/${asked.body.id}/approve`).set(as(store, 'viewer')).send({}).expect(403);
    const noReason = await store.http.post(`/api/refunds/${asked.body.id}/decline`).set(as(store, 'operator2')).send({}).expect(400);
    expect(noReason.body.error.field).toBe('reason');
    const declined = await store.http.post(`/api/refunds/${asked.body.id}/decline`).set(as(store, 'operator2')).send({ reason: 'duplicate request' }).expect(200);
    expect(declined.body).toMatchObject({ state: 'declined', declinedBy: 'operator2@example.com', declineReason: 'duplicate request', movement: null });
    expect(await auditRowsOf(store, 'refund.decline')).toMatchObject([{ actorEmail: 'operator2@example.com', outcome: 'done' }]);
    await store.http.post(`/api/refunds/${asked.body.id}/approve`).set(as(store, 'owner')).send({}).expect(409);
    expect(sandboxRefunds(store)).toHaveLength(0);
  });

  it('a request nobody decides expires after 7 days and can no longer be approved', async () => {
    store = await startRefundStore();
    const { order } = await settledOrder(store, '256772000307');
    const asked = await store.http.post(`/api/orders/${order.id}/refunds`).set(as(store, 'operator')).send({ amountMinor: 500, reason: 'slow' }).expect(202);
    const { createRefunds, REFUND_REQUEST_TTL_MS } = await import('../../src/refunds');
    const { silentLogger } = await import('../../src/log');
    const later = createRefunds({
      sql: store.sokoni.sql, checkout: store.sokoni.checkout, audit: () => {}, settings: store.config.refunds, log: silentLogger,
      clock: () => Date.now() + REFUND_REQUEST_TTL_MS + 1,
    });
    const early = createRefunds({ sql: store.sokoni.sql, checkout: store.sokoni.checkout, audit: () => {}, settings: store.config.refunds, log: silentLogger });
    expect(await early.expireDue()).toBe(0);
    expect(await later.expireDue()).toBe(1);
    await store.http.post(`/api/refunds/${asked.body.id}/approve`).set(as(store, 'operator2')).send({}).expect(409);
    expect((await waitForRefund(store, asked.body.id, () => true)).state).toBe('expired');
    expect(sandboxRefunds(store)).toHaveLength(0);
  });

  it('names the field of bad input, writes nothing, and the same Idempotency-Key is the same refund', async () => {
    store = await startRefundStore();
    const { order } = await settledOrder(store, '256772000308');
    const url = `/api/orders/${order.id}/refunds`;
    const post = (body: object, key?: string) => {
      const req = store!.http.post(url).set(as(store!, 'operator'));
      if (key) req.set('idempotency-key', key);
      return req.send(body);
    };
    expect((await post({ amountMinor: '300', reason: 'x' }).expect(400)).body.error.field).toBe('amountMinor');
    expect((await post({ amountMinor: 0, reason: 'x' }).expect(400)).body.error.field).toBe('amountMinor');
    expect((await post({ amountMinor: 1001, reason: 'x' }).expect(422)).body.error.field).toBe('amountMinor');
    expect((await post({ amountMinor: 100 }).expect(400)).body.error.field).toBe('reason');
    expect((await post({ amount: 100, reason: 'x' }).expect(400)).body.error).toMatchObject({ code: 'unknown_field', field: 'amount' });
    await store.http.post(url).set(as(store, 'viewer')).send({ amountMinor: 100, reason: 'x' }).expect(403);
    await store.http.post(`/api/orders/00000000-0000-4000-8000-000000000000/refunds`).set(as(store, 'operator')).send({ amountMinor: 100, reason: 'x' }).expect(404);
    expect((await store.http.get(url).set(as(store, 'viewer'))).body.refunds).toHaveLength(0);

    const first = await post({ amountMinor: 100, reason: 'x' }, 'key-1').expect(202);
    const again = await post({ amountMinor: 100, reason: 'x' }, 'key-1').expect(202);
    expect(again.body.id).toBe(first.body.id);
    expect((await post({ amountMinor: 200, reason: 'x' }, 'key-1').expect(409)).body.error.code).toBe('idempotency_key_reused');
    expect((await store.http.get(url).set(as(store, 'viewer'))).body.refunds).toHaveLength(1);
  });
});

describe('two requests for one order at once', () => {
  // Each request's reads are awaited: without its checks and its insert in one transaction, both
  // would pass the checks and the second would die on the one-open-refund index (a 500).
  it('write one refund: the other is told one is open, or given the same refund for the same key', async () => {
    store = await startRefundStore();
    const { order } = await settledOrder(store, '256772000310');
    const ctx = { caller: { personId: null, email: 'operator@example.com', role: 'operator' as const, via: 'api_key' as const, mustEnrol: false }, address: null };
    const ask = (key: string | null) => store!.sokoni.refunds.request(ctx, order.id, { amountMinor: 100, reason: 'two clicks' }, key);

    // Either may win: on PostgreSQL they really run at once.
    const outcomes = await Promise.allSettled([ask(null), ask(null)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toMatchObject([{ value: { state: 'pending_approval' } }]);
    expect(outcomes.filter((o) => o.status === 'rejected')).toMatchObject([{ reason: { kind: 'conflict', code: 'refund_open' } }]);

    const { order: other } = await settledOrder(store, '256772000311');
    const again = (key: string) => store!.sokoni.refunds.request(ctx, other.id, { amountMinor: 100, reason: 'two clicks' }, key);
    const [a, b] = await Promise.all([again('same-key'), again('same-key')]);
    expect(b.id).toBe(a.id);
    expect(await store.sokoni.refunds.ofOrder(other.id)).toHaveLength(1);
  });
});

describe('two approvals of one request at once', () => {
  // The approval writes the refund's movement, then marks the request approved only if it is
  // still pending, in one transaction: the one that loses the race leaves no movement behind.
  it('send one refund: the other is refused and its movement undone with it', async () => {
    store = await startRefundStore();
    const { order } = await settledOrder(store, '256772000312');
    const person = (email: string) => ({ caller: { personId: null, email, role: 'operator' as const, via: 'api_key' as const, mustEnrol: false }, address: null });
    const refunds = store.sokoni.refunds;
    const asked = await refunds.request(person('maker@example.com'), order.id, { amountMinor: 200, reason: 'scratched' });

    // The loser is refused whichever way it lost: it read the request still pending and lost the
    // guarded mark ("decided meanwhile"), or, on PostgreSQL, read it after the winner committed.
    const outcomes = await Promise.allSettled([refunds.approve(person('a@example.com'), asked.id), refunds.approve(person('b@example.com'), asked.id)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { kind: 'conflict', code: 'refund_not_pending' } });
    const movements = await store.sokoni.sql.get<{ n: number }>(`SELECT count(*) AS n FROM movements WHERE order_id = ? AND kind = 'refund'`, [order.id]);
    expect(movements!.n).toBe(1);
    expect((await waitForRefund(store, asked.id)).state).toBe('refunded');
    expect(sandboxRefunds(store)).toHaveLength(1);
  });
});

describe('a refund whose answer is lost', () => {
  it('is read, found, and followed: MoMo holds exactly one refund', async () => {
    store = await startRefundStore({ MOMO_MAX_RETRIES: '0' });
    const { order } = await settledOrder(store, '256772000309');
    store.control.addFault({ kind: 'lostAnswer', operation: 'disbursement.refundV2', count: 1, as: 'error' });
    expect((await refundApproved(store, order.id, 400)).state).toBe('refunded');
    expect(sandboxRefunds(store)).toMatchObject([{ status: 'SUCCESSFUL', amount: '4.00' }]);
    expect(store.control.calls().byOperation['disbursement.refundV2']).toBe(1);
  });
});
