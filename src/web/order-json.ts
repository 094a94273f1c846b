// The public JSON form of an order. The shopper's number is masked: an order id travels in
// URLs and screenshots, and the number is not needed to follow the order.
import type { OrderSnapshot } from '../checkout';
import { toDecimalString } from '../money';
import { maskMsisdn } from './fields';

const iso = (ms: number) => new Date(ms).toISOString();

export function orderJson(s: OrderSnapshot) {
  const { order, payment, payout } = s;
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
    createdAt: iso(order.createdAt),
    updatedAt: iso(order.updatedAt),
  };
}
