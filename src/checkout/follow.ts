// Following payments and payouts until they are final. The rules that keep money safe:
// - only a status read decides anything; a callback merely makes the read happen sooner;
// - a payout is created only when a read says SUCCESSFUL for exactly the amount and currency
//   asked for, in the same transaction that marks the order paid;
// - a create whose answer was lost is settled by reading its reference: not found → send it
//   again with the same reference; found → follow it;
// - a new payout attempt (new reference) starts only once the previous one is known FAILED.
import { randomUUID } from 'node:crypto';
import type { OrderRow, PaymentRow, PayoutRow } from '../db';
import type { CheckoutContext } from './context';
import { collectMessages } from './place-order';
import { ProviderError, type ProviderTransaction } from './provider';
import { isTemporaryPayoutFailure, momoText } from './reasons';
import { firstPayoutCheckMs, isStuck, nextCheckDelay } from './schedule';
import { assertTransition, type OrderStatus, type PaymentStatus, type PayoutStatus } from './states';

/** After this many failed attempts a payout stops and waits for a person. */
export const maxPayoutAttempts = 5;

const amountMismatch = 'AMOUNT_MISMATCH';

function asProviderError(error: unknown): ProviderError {
  return error instanceof ProviderError ? error : new ProviderError('unknown', 'UNEXPECTED', String(error));
}

function matches(tx: ProviderTransaction, row: { amountMinor: number; currency: string }): boolean {
  return tx.amountMinor === row.amountMinor && tx.currency === row.currency;
}

function moveOrder(ctx: CheckoutContext, orderId: string, from: OrderStatus, to: OrderStatus, detail: string | null = null): void {
  assertTransition('order', from, to);
  ctx.store.moveOrder(orderId, from, to, ctx.clock(), detail);
}

interface Move<S> {
  to: S;
  reason?: string | null;
  financialTransactionId?: string | null;
  nextCheckAt?: number | null;
  detail?: string | null;
}

/** Moves a payment (and, in the same transaction, its order); false if someone moved it first. */
function movePayment(ctx: CheckoutContext, row: PaymentRow, move: Move<PaymentStatus>, order?: [OrderStatus, OrderStatus]): boolean {
  assertTransition('payment', row.status, move.to);
  const moved = ctx.store.transaction(() => {
    const ok = ctx.store.movePayment(row, { from: row.status, nextCheckAt: null, ...move }, ctx.clock());
    if (ok && order) moveOrder(ctx, row.orderId, order[0], order[1], move.reason ?? null);
    return ok;
  });
  if (moved) announce(ctx, row.orderId, move.nextCheckAt);
  return moved;
}

function announce(ctx: CheckoutContext, orderId: string, nextCheckAt: number | null | undefined): void {
  ctx.events.emit('order', orderId);
  if (nextCheckAt) ctx.wake(nextCheckAt);
}

function movePayout(ctx: CheckoutContext, row: PayoutRow, move: Move<PayoutStatus>, order?: [OrderStatus, OrderStatus]): boolean {
  assertTransition('payout', row.status, move.to);
  const moved = ctx.store.transaction(() => {
    const ok = ctx.store.movePayout(row, { from: row.status, nextCheckAt: null, ...move }, ctx.clock());
    if (ok && order) moveOrder(ctx, row.orderId, order[0], order[1], move.reason ?? null);
    return ok;
  });
  if (moved) announce(ctx, row.orderId, move.nextCheckAt);
  return moved;
}

function nextCheckAt(ctx: CheckoutContext, row: { checks: number; createdAt: number }): number {
  const now = ctx.clock();
  return now + nextCheckDelay(ctx.settings, row.checks, now - row.createdAt);
}

function reschedulePayment(ctx: CheckoutContext, row: PaymentRow): void {
  const at = nextCheckAt(ctx, row);
  ctx.store.schedulePayment(row, at, true, ctx.clock());
  ctx.wake(at);
}

function reschedulePayout(ctx: CheckoutContext, row: PayoutRow): void {
  const at = nextCheckAt(ctx, row);
  ctx.store.schedulePayout(row, at, true, ctx.clock());
  ctx.wake(at);
}

function warnIfStuck(ctx: CheckoutContext, orderId: string, createdAt: number, what: string): void {
  if (isStuck(ctx.settings, createdAt, ctx.clock())) {
    ctx.log.warn('order.stuck', { orderId, what, ageS: Math.round((ctx.clock() - createdAt) / 1000) });
  }
}

/** What reading a payment or a payout has in common, told apart by these few calls. */
interface Followed {
  what: 'payment' | 'payout';
  orderId: string;
  createdAt: number;
  /** The row's status now (it may change while the read is out). */
  readonly status: string;
  read(): Promise<ProviderTransaction | null>;
  /**
   * Re-reads the row once MoMo has answered: the create's own answer may have moved it from
   * `sending` to `pending` meanwhile, and a move guarded by the old status would then be lost
   * (and the answer with it, until the next scheduled read). False when nothing open is left.
   */
  refresh(): boolean;
  /** The create's answer was lost and MoMo has no such reference: send it again, same reference. */
  resend(): Promise<void>;
  reschedule(): void;
  /** MoMo has it and it is still PENDING: what was `sending` is known to have arrived. */
  arrived(): void;
}

/** Reads the status; returns it once final, or null when the read settled nothing. */
async function readFinal(ctx: CheckoutContext, f: Followed): Promise<ProviderTransaction | null> {
  let tx: ProviderTransaction | null;
  try {
    tx = await f.read();
  } catch (error) {
    ctx.log.warn(`${f.what}.check_failed`, { orderId: f.orderId, error });
    f.reschedule();
    return null;
  }
  if (!f.refresh()) return null;
  if (tx === null) {
    if (f.status === 'sending') await f.resend();
    else {
      // MoMo accepted it before, so it must exist: keep reading rather than sending again.
      ctx.log.warn(`${f.what}.not_found_after_accept`, { orderId: f.orderId });
      f.reschedule();
    }
    return null;
  }
  if (tx.status !== 'PENDING') return tx;
  warnIfStuck(ctx, f.orderId, f.createdAt, f.what);
  if (f.status === 'sending') f.arrived();
  else f.reschedule();
  return null;
}

// ---- collections ----------------------------------------------------------------------

export async function sendCollect(ctx: CheckoutContext, payment: PaymentRow, order: OrderRow): Promise<void> {
  const productName = ctx.store.productForOrder(order.productId)?.name ?? 'order';
  ctx.store.countPaymentSend(payment);
  try {
    await ctx.provider.collect({
      referenceId: payment.referenceId,
      amountMinor: payment.amountMinor,
      currency: payment.currency,
      payerMsisdn: order.payerMsisdn,
      externalId: order.id,
      ...collectMessages(productName, order.qty),
      callbackUrl: ctx.callbackUrl(payment.referenceId),
    });
  } catch (caught) {
    const error = asProviderError(caught);
    if (error.kind === 'rejected') {
      ctx.log.info('payment.rejected', { orderId: order.id, code: error.code, status: error.status });
      movePayment(ctx, payment, { to: 'failed', reason: error.code }, ['pending', 'failed']);
      return;
    }
    if (error.kind === 'unknown') {
      ctx.log.warn('payment.send_unconfirmed', { orderId: order.id, code: error.code });
      reschedulePayment(ctx, payment);
      return;
    }
    // duplicate: an earlier send of this very reference arrived, which is what we wanted.
  }
  movePayment(ctx, payment, { to: 'pending', nextCheckAt: ctx.clock() + ctx.settings.firstCheckMs });
}

export async function checkPayment(ctx: CheckoutContext, picked: PaymentRow): Promise<void> {
  const order = ctx.store.order(picked.orderId)!;
  let payment = picked;
  const tx = await readFinal(ctx, {
    what: 'payment',
    orderId: order.id,
    createdAt: order.createdAt,
    get status() {
      return payment.status;
    },
    read: () => ctx.provider.getCollection(payment.referenceId),
    refresh: () => {
      payment = ctx.store.paymentOf(order.id) ?? payment;
      return payment.status === 'sending' || payment.status === 'pending';
    },
    resend: () => sendCollect(ctx, payment, order),
    reschedule: () => reschedulePayment(ctx, payment),
    arrived: () => movePayment(ctx, payment, { to: 'pending', nextCheckAt: nextCheckAt(ctx, payment) }),
  });
  if (tx === null) return;
  if (tx.status === 'FAILED') {
    movePayment(ctx, payment, { to: 'failed', reason: tx.reason ?? 'FAILED' }, ['pending', 'failed']);
    return;
  }
  if (!matches(tx, payment)) {
    ctx.log.error('payment.amount_mismatch', {
      orderId: order.id, expected: `${payment.amountMinor} ${payment.currency}`, got: `${tx.amountMinor} ${tx.currency}`,
    });
    movePayment(ctx, payment, { to: 'failed', reason: amountMismatch, financialTransactionId: tx.financialTransactionId }, ['pending', 'failed']);
    return;
  }
  await paid(ctx, payment, order, tx);
}

/** The payment is SUCCESSFUL for the right amount: in one transaction mark it, mark the order paid and create the payout. */
async function paid(ctx: CheckoutContext, payment: PaymentRow, order: OrderRow, tx: ProviderTransaction): Promise<void> {
  const payeeMsisdn = ctx.store.sellerMsisdn(order.sellerId)!;
  const now = ctx.clock();
  const reference = randomUUID();
  assertTransition('payment', payment.status, 'successful');
  assertTransition('order', 'pending', 'paid');
  const created = ctx.store.transaction(() => {
    const moved = ctx.store.movePayment(payment, {
      from: payment.status, to: 'successful', financialTransactionId: tx.financialTransactionId, nextCheckAt: null,
    }, now);
    if (!moved) return false;
    ctx.store.moveOrder(order.id, 'pending', 'paid', now);
    // A zero share (0 bps, or a tiny amount) leaves nothing to send: the order is settled.
    if (order.sellerAmountMinor === 0) {
      assertTransition('order', 'paid', 'settled');
      ctx.store.moveOrder(order.id, 'paid', 'settled', now, 'nothing to pay out');
      return false;
    }
    ctx.store.insertPayout(order, payeeMsisdn, reference, now, now + ctx.sendGraceMs);
    return true;
  });
  ctx.events.emit('order', order.id);
  if (created) await sendPayout(ctx, ctx.store.payoutOf(order.id)!);
}

// ---- payouts --------------------------------------------------------------------------

export async function sendPayout(ctx: CheckoutContext, payout: PayoutRow): Promise<void> {
  try {
    await ctx.provider.payout({
      referenceId: payout.referenceId,
      amountMinor: payout.amountMinor,
      currency: payout.currency,
      payeeMsisdn: payout.payeeMsisdn,
      externalId: payout.orderId,
      payerMessage: momoText(`Sokoni payout for order ${payout.orderId.slice(0, 8)}`),
      payeeNote: momoText(`Your share of Sokoni order ${payout.orderId.slice(0, 8)}`),
      callbackUrl: ctx.callbackUrl(payout.referenceId),
    });
  } catch (caught) {
    const error = asProviderError(caught);
    if (error.kind === 'rejected') return payoutFailed(ctx, payout, error.code);
    if (error.kind === 'unknown') {
      ctx.log.warn('payout.send_unconfirmed', { orderId: payout.orderId, code: error.code });
      reschedulePayout(ctx, payout);
      return;
    }
  }
  movePayout(ctx, payout, { to: 'pending', nextCheckAt: ctx.clock() + firstPayoutCheckMs(ctx.settings) });
}

/** The current attempt is known FAILED: retry later with a new reference, or stop for a person. */
function payoutFailed(ctx: CheckoutContext, payout: PayoutRow, reason: string): void {
  const retry = isTemporaryPayoutFailure(reason) && payout.attempts < maxPayoutAttempts;
  ctx.log.warn('payout.failed', { orderId: payout.orderId, reason, attempt: payout.attempts, retry });
  if (retry) {
    movePayout(ctx, payout, { to: 'retry_wait', reason, nextCheckAt: nextCheckAt(ctx, payout) });
  } else {
    movePayout(ctx, payout, { to: 'failed', reason }, ['paid', 'payout_failed']);
  }
}

/** An operator asks for a failed payout to be tried again (e.g. after topping up the account). */
export function reopenPayout(ctx: CheckoutContext, orderId: string): boolean {
  const payout = ctx.store.payoutOf(orderId);
  const order = ctx.store.order(orderId);
  if (!payout || !order || payout.status !== 'failed' || order.status !== 'payout_failed') return false;
  return movePayout(ctx, payout, { to: 'retry_wait', nextCheckAt: ctx.clock(), detail: 'reopened by an operator' }, ['payout_failed', 'paid']);
}

async function retryPayout(ctx: CheckoutContext, payout: PayoutRow): Promise<void> {
  const now = ctx.clock();
  const reference = randomUUID();
  assertTransition('payout', 'retry_wait', 'sending');
  if (!ctx.store.restartPayout(payout, reference, now, now + ctx.sendGraceMs)) return;
  ctx.events.emit('order', payout.orderId);
  await sendPayout(ctx, ctx.store.payoutOf(payout.orderId)!);
}

export async function checkPayout(ctx: CheckoutContext, picked: PayoutRow): Promise<void> {
  if (picked.status === 'retry_wait') return retryPayout(ctx, picked);
  let payout = picked;
  const tx = await readFinal(ctx, {
    what: 'payout',
    orderId: payout.orderId,
    createdAt: payout.createdAt,
    get status() {
      return payout.status;
    },
    read: () => ctx.provider.getPayout(payout.referenceId),
    refresh: () => {
      payout = ctx.store.payoutOf(picked.orderId) ?? payout;
      // Only this attempt's answer counts: a new reference means the row has moved on.
      return payout.referenceId === picked.referenceId && (payout.status === 'sending' || payout.status === 'pending');
    },
    resend: () => sendPayout(ctx, payout),
    reschedule: () => reschedulePayout(ctx, payout),
    arrived: () => movePayout(ctx, payout, { to: 'pending', nextCheckAt: nextCheckAt(ctx, payout) }),
  });
  if (tx === null) return;
  if (tx.status === 'FAILED') return payoutFailed(ctx, payout, tx.reason ?? 'FAILED');
  if (!matches(tx, payout)) {
    ctx.log.error('payout.amount_mismatch', {
      orderId: payout.orderId, expected: `${payout.amountMinor} ${payout.currency}`, got: `${tx.amountMinor} ${tx.currency}`,
    });
    movePayout(ctx, payout, { to: 'failed', reason: amountMismatch, financialTransactionId: tx.financialTransactionId }, ['paid', 'payout_failed']);
    return;
  }
  movePayout(ctx, payout, { to: 'successful', financialTransactionId: tx.financialTransactionId }, ['paid', 'settled']);
}
