// The public JSON form of an order. The shopper's number is masked: an order id travels in
// URLs and screenshots, and the number is not needed to follow the order.
import type { OrderSnapshot } from '../checkout';
import { toDecimalString } from '../money';
import { maskMsisdn } from './fields';
import { isOpenRefund, shopperSees, type OrderRefund } from './order-view';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * `refunds` lists those the shopper can see (MoMo has taken them: on their way or done), with
 * `refundedMinor` their total so far; `refundOpen` says one is still to land, so a page keeps
 * listening. Requests waiting for approval are the shop's business until money moves.
 */
export function orderJson(s: OrderSnapshot, refunds: readonly OrderRefund[] = []) {
  const { order, payment, payout } = s;
  const seen = refunds.filter(shopperSees);
  return {
    id: order.id,
    status: order.status,
    stuck: s.stuck,
    productId: order.productId,
    productName: s.productName,
    sellerName: s.sellerName,
    qty: order.qty,
    amount: toDecimalString(order.amountMinor, order.currency),
    amountMinor: order.amountMinor,
    currency: order.currency,
    phone: maskMsisdn(order.payerMsisdn),
    approvalDeadline: iso(s.approvalDeadline),
    payment: {
      referenceId: payment.referenceId,
      status: payment.status,
      reason: payment.reason,
      financialTransactionId: payment.financialTransactionId,
    },
    payout: payout && {
      referenceId: payout.referenceId,
      status: payout.status,
      reason: payout.reason,
      amount: toDecimalString(payout.amountMinor, payout.currency),
      amountMinor: payout.amountMinor,
      attempts: payout.attempts,
    },
    refunds: seen.map((r) => ({
      status: r.status,
      amount: toDecimalString(r.amountMinor, r.currency),
      amountMinor: r.amountMinor,
      currency: r.currency,
      acceptedAt: r.acceptedAt === null ? null : iso(r.acceptedAt),
      refundedAt: r.refundedAt === null ? null : iso(r.refundedAt),
    })),
    refundedMinor: seen.reduce((sum, r) => sum + (r.status === 'refunded' ? r.amountMinor : 0), 0),
    refundOpen: refunds.some(isOpenRefund),
    createdAt: iso(order.createdAt),
    updatedAt: iso(order.updatedAt),
  };
}
