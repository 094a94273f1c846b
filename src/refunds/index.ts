// The refunds room's door (issue #14): ask for a refund of a paid order or of money that
// arrived against a failed one, approve or decline it (maker-checker), list an order's refunds,
// the sellers still owing a claw-back, and the pure split and the request's state machine.
export { createRefunds, REFUND_REQUEST_TTL_MS, type Refunds, type RefundsOptions, type RefundView } from './service';
export { splitRefund, RefundSplitError, type OrderSplit, type RefundParts, type RefundedSoFar } from './split';
export { refundRequestMachine, terminalRefundStates, openRefundStates, assertRefundMove, type RefundRequestState } from './states';
export type { OwingSeller, RefundState } from '../db';
