// The refunds room's door (issue #14).
export { splitRefund, RefundSplitError, type OrderSplit, type RefundParts, type RefundedSoFar } from './split';
