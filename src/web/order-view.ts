// What the order page says in each state, in words a shopper understands. The page and the
// fragment its script fetches on each change both render from this, so they never disagree.
import { collectMessages, type OrderSnapshot } from '../checkout';
import { formatMoney } from '../money';
import type { ReasonKind } from '../providers';
import type { RefundView } from '../refunds';
import { shortId } from '../uuid';

/** `contacting`: the request has not yet been accepted by MoMo, so nobody is asked to approve anything yet. */
export type OrderStage = 'contacting' | 'waiting' | 'paid' | 'settled' | 'failed' | 'payout_failed';

export interface Failure {
  /** What happened. */
  what: string;
  /** What the shopper can do about it. */
  next: string;
  /** Trying the same number again can work; false when the number itself is the problem. */
  sameNumberCanWork: boolean;
  /** Money left the wallet although the order failed: no "try again", the shop owes it back. */
  moneyTaken?: boolean;
}

// MoMo took the money after Sokoni had stopped waiting for it (the send deadline passed).
const paidAfterFailure: Failure = {
  what: 'MTN MoMo took the payment after this order had been stopped.',
  next: 'The shop will send the money back to your MoMo wallet; you will not be charged again. Keep this page: the order number is your proof.',
  sameNumberCanWork: false,
  moneyTaken: true,
};

// Keyed by Sokoni's reason kinds, never a provider's codes: each provider's adapter maps its
// codes to these kinds, so a new provider needs no new wording.
const FAILURES: Record<ReasonKind, Failure> = {
  declined: {
    what: 'The payment was declined on the phone.',
    next: 'No money was taken. If that was a mistake, try again and approve it with your MoMo PIN.',
    sameNumberCanWork: true,
  },
  not_approved_in_time: {
    what: 'The payment was not approved in time.',
    next: 'No money was taken. Try again, and approve the prompt on your phone within the time shown.',
    sameNumberCanWork: true,
  },
  not_enough_funds: {
    what: 'There was not enough money in the MoMo wallet.',
    next: 'No money was taken. Top up your MoMo wallet, then try again.',
    sameNumberCanWork: true,
  },
  limit_reached: {
    what: 'This MoMo wallet has reached its spending limit.',
    next: 'No money was taken. Try again later, or pay with another MoMo number.',
    sameNumberCanWork: true,
  },
  party_unknown: {
    what: 'This phone number is not registered for MTN MoMo.',
    next: 'No money was taken. Check the number, or pay with another number that has MoMo.',
    sameNumberCanWork: false,
  },
  provider_unavailable: {
    what: 'MTN MoMo could not process the payment just now.',
    next: 'No money was taken. Wait a minute, then try again.',
    sameNumberCanWork: true,
  },
  // MoMo said SUCCESSFUL for another amount or currency: money may have moved, so never say it did not.
  provider_unreachable: {
    what: 'MTN MoMo could not be reached.',
    next: 'No money was taken. Wait a minute, then try again.',
    sameNumberCanWork: true,
  },
  amount_mismatch: {
    what: 'MTN MoMo reported a different amount than the one asked for, so the order was stopped.',
    next: 'If money left your wallet, the shop will send it back: contact the shop with this order number.',
    sameNumberCanWork: false,
    moneyTaken: true,
  },
  refused: {
    what: 'MTN MoMo refused the payment.',
    next: 'No money was taken. Try again, or pay with another MoMo number.',
    sameNumberCanWork: true,
  },
};

export function failureFor(kind: ReasonKind | null): Failure {
  return FAILURES[kind ?? 'refused'];
}

export interface Receipt {
  /** When the payment succeeded, in the shop's time zone. */
  paidAt: string;
  item: string;
  total: string;
  transactionId: string | null;
}

export interface OrderView {
  id: string;
  shortId: string;
  stage: OrderStage;
  final: boolean;
  productId: string;
  productName: string;
  sellerName: string;
  qty: number;
  total: string;
  payeeNote: string;
  maskedPhone: string;
  secondsLeft: number;
  failure: Failure | null;
  /** The seller's payout waits for the shop's MoMo account to be topped up. */
  payoutQueued: boolean;
  receipt: Receipt | null;
  refunds: RefundsView;
}

/** A refund of the order as the shopper's page needs it, whichever room keeps it. */
export interface OrderRefund {
  amountMinor: number;
  currency: string;
  /**
   * The refund request's state (`pending_approval`, `approved`, `declined`, `expired`, `refunded`,
   * `failed`); the shopper sees one `refunded`, or `approved` once MoMo has accepted it.
   */
  status: string;
  /** When MoMo accepted the refund request; null until then. */
  acceptedAt: number | null;
  /** When MoMo said SUCCESSFUL; null until then. */
  refundedAt: number | null;
}

export interface RefundsView {
  /** One line per refund the shopper can see, oldest first. */
  lines: { text: string; done: boolean }[];
  /** Everything paid has come back. */
  full: boolean;
  /** Whether a refund is still to land: the page stays live until it does. */
  open: boolean;
}

export interface OrderViewOptions {
  maskedPhone: string;
  now: number;
  /** IANA time zone for the receipt. */
  timezone: string;
  /** The order's refunds, oldest first. */
  refunds?: readonly OrderRefund[];
}

// Waiting for a second person's approval, or approved but not yet taken by MoMo: the shopper is
// told nothing yet, as nothing is on its way. Declined, expired and failed refunds moved no
// money, so they are not shown either.
const OPEN_REFUND = new Set(['pending_approval', 'approved']);

/** The refunds room's view of an order's refunds, as the shopper's page reads them. */
export function shopperRefunds(list: readonly RefundView[]): OrderRefund[] {
  return list.map((r) => ({
    amountMinor: r.amountMinor,
    currency: r.currency,
    status: r.state,
    // MoMo has it once its create was accepted (pending) or it succeeded; only whether matters.
    acceptedAt: r.movement && (r.movement.status === 'pending' || r.movement.status === 'successful') ? r.updatedAt : null,
    refundedAt: r.state === 'refunded' ? r.updatedAt : null,
  }));
}

export const isOpenRefund = (refund: OrderRefund) => OPEN_REFUND.has(refund.status);

/** What the shopper sees of a refund: MoMo has it (on its way) or it is done. */
export const shopperSees = (r: OrderRefund) => (r.status === 'refunded' && r.refundedAt !== null) || (r.status === 'approved' && r.acceptedAt !== null);

export function refundsView(refunds: readonly OrderRefund[], paidMinor: number, timezone: string): RefundsView {
  const lines: RefundsView['lines'] = [];
  let refundedMinor = 0;
  for (const r of refunds) {
    const amount = formatMoney(r.amountMinor, r.currency);
    if (r.status === 'refunded' && r.refundedAt !== null) {
      refundedMinor += r.amountMinor;
      lines.push({ text: `Refunded ${amount} on ${formatTime(r.refundedAt, timezone)}`, done: true });
    } else if (r.status === 'approved' && r.acceptedAt !== null) {
      lines.push({ text: `A refund of ${amount} is on its way to your MoMo wallet.`, done: false });
    }
  }
  return { lines, full: paidMinor > 0 && refundedMinor >= paidMinor, open: refunds.some(isOpenRefund) };
}

function formatTime(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
  }).format(ms);
}

function stageOf(s: OrderSnapshot): OrderStage {
  if (s.order.status !== 'pending') return s.order.status;
  return s.payment.status === 'sending' ? 'contacting' : 'waiting';
}

export function orderView(s: OrderSnapshot, { maskedPhone, now, timezone, refunds = [] }: OrderViewOptions): OrderView {
  const { order, payment } = s;
  const stage = stageOf(s);
  const total = formatMoney(order.amountMinor, order.currency);
  const paid = payment.status === 'successful' && !s.paidAfterFailure;
  const refundsNow = refundsView(refunds, payment.status === 'successful' ? order.amountMinor : 0, timezone);
  return {
    id: order.id,
    shortId: shortId(order.id),
    stage,
    // A refund still to land keeps the page live, so it shows the money back when it arrives.
    final: (stage === 'settled' || stage === 'failed' || stage === 'payout_failed') && !refundsNow.open,
    productId: order.productId,
    productName: s.productName,
    sellerName: s.sellerName,
    qty: order.qty,
    total,
    // The same note the payment request carries, so the shopper recognises it on the phone.
    payeeNote: collectMessages(s.productName, order.qty).payeeNote,
    maskedPhone,
    secondsLeft: Math.max(0, Math.ceil((s.approvalDeadline - now) / 1000)),
    failure: stage !== 'failed' ? null : s.paidAfterFailure ? paidAfterFailure : failureFor(s.paymentFailure),
    payoutQueued: s.payout?.status === 'waiting_funds',
    receipt: paid
      ? { paidAt: formatTime(payment.updatedAt, timezone), item: `${order.qty} × ${s.productName}`, total, transactionId: payment.financialTransactionId }
      : null,
    refunds: refundsNow,
  };
}
