// What a FAILED transfer's reason means for the next step. Temporary reasons are worth a new
// attempt later; anything else, including reasons we have never seen, stops and waits for a
// person, because a retry cannot fix it and they need to know.
const temporaryPayoutReasons = new Set([
  'INTERNAL_PROCESSING_ERROR',
  'SERVICE_UNAVAILABLE',
  'COULD_NOT_PERFORM_TRANSACTION',
  // The platform's disbursement account is short, or the receiver is over a daily limit:
  // both clear with time or a top-up.
  'NOT_ENOUGH_FUNDS',
  'PAYER_LIMIT_REACHED',
  'EXPIRED',
  'TRANSACTION_NOT_FOUND',
]);

export function isTemporaryPayoutFailure(reason: string | null): boolean {
  return reason !== null && temporaryPayoutReasons.has(reason);
}

/** MoMo refuses `'` and `&` and more than 160 characters in payerMessage/payeeNote. */
export function momoText(text: string): string {
  return text.replace(/&/g, 'and').replace(/['"<>]/g, '').replace(/\s+/g, ' ').trim().slice(0, 160);
}
