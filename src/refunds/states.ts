// A refund request's state machine, as data beside the order's and the movements'. `requested`
// is where every request starts and never rests: in the transaction that writes it, it becomes
// `pending_approval` (above the currency's threshold) or `approved` (at or below it). Approval
// writes the refund movement; the movement's end is the request's end.
import type { RefundState } from '../db';
import { assertMove, type Machine } from '../movements';

export type RefundRequestState = RefundState | 'requested';

export const refundRequestMachine: Machine<RefundRequestState> = {
  requested: ['pending_approval', 'approved'],
  // A second person approves or declines; after REFUND_EXPIRY_DAYS nobody can.
  pending_approval: ['approved', 'declined', 'expired'],
  approved: ['refunded', 'failed'],
  declined: [],
  expired: [],
  refunded: [],
  // A failed refund is final: its money never left, and a new refund can be asked for.
  failed: [],
};

export const terminalRefundStates: readonly RefundRequestState[] = ['declined', 'expired', 'refunded', 'failed'];

/** The states in which a refund is open: at most one per order (the refunds_one_open index). */
export const openRefundStates: readonly RefundState[] = ['pending_approval', 'approved'];

export function assertRefundMove(from: RefundRequestState, to: RefundRequestState): void {
  assertMove('refund', refundRequestMachine, from, to);
}
