// How a refund divides between the seller and the platform: in the order's own proportion, in
// whole minor units, so that across any sequence of partial refunds neither side ever gives back
// more than its share, and refunding the whole amount returns both exactly to zero.
//
// The trick is to split the running total, not each refund: after refunds totalling R the
// seller has given back floor(R × seller / amount), the platform the rest. That is monotone in
// R, never above either share while R ≤ amount, and exactly (seller, platform) at R = amount, so
// the last refund takes whatever the rounding left. A refund's parts are the difference of the
// running split before and after it.

/** The order's frozen split: `sellerMinor + platformMinor = amountMinor`. */
export interface OrderSplit {
  amountMinor: number;
  sellerMinor: number;
  platformMinor: number;
}

export interface RefundParts {
  sellerMinor: number;
  platformMinor: number;
}

/** What refunds that count (given or on their way) have taken so far. */
export interface RefundedSoFar {
  amountMinor: number;
  sellerMinor: number;
  platformMinor: number;
}

export class RefundSplitError extends Error {
  override name = 'RefundSplitError';
}

const isMinor = (n: number) => Number.isSafeInteger(n) && n >= 0;

/** The seller's part of the first `refundedMinor` of an order refunded. */
function sellerPartOfTotal(order: OrderSplit, refundedMinor: number): number {
  if (refundedMinor === order.amountMinor) return order.sellerMinor;
  return Number((BigInt(refundedMinor) * BigInt(order.sellerMinor)) / BigInt(order.amountMinor));
}

/**
 * The seller's and the platform's parts of a new refund of `refundMinor`, after `soFar`. Throws
 * when the refund is not a positive whole amount or would take back more than was collected:
 * callers check that first and refuse with the field's name.
 */
export function splitRefund(order: OrderSplit, soFar: RefundedSoFar, refundMinor: number): RefundParts {
  if (![order.amountMinor, order.sellerMinor, order.platformMinor].every(isMinor) || order.sellerMinor + order.platformMinor !== order.amountMinor || order.amountMinor === 0) {
    throw new RefundSplitError('the order split must be whole minor units whose parts add up to a positive amount');
  }
  if (!isMinor(refundMinor) || refundMinor === 0) throw new RefundSplitError(`a refund must be a positive whole number of minor units, got ${refundMinor}`);
  const total = soFar.amountMinor + refundMinor;
  if (total > order.amountMinor) throw new RefundSplitError(`refunding ${refundMinor} would give back ${total} of ${order.amountMinor}`);
  // From the running split, not from `soFar`'s parts: a sequence made by this function always
  // agrees with it, and one that does not is corrected by the next refund rather than carried on.
  const sellerMinor = Math.max(0, Math.min(refundMinor, sellerPartOfTotal(order, total) - soFar.sellerMinor, order.sellerMinor - soFar.sellerMinor));
  const platformMinor = refundMinor - sellerMinor;
  if (platformMinor > order.platformMinor - soFar.platformMinor) throw new RefundSplitError('the refunds so far do not follow the order split');
  return { sellerMinor, platformMinor };
}
