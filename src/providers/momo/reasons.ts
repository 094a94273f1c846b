// MoMo's reason codes in Sokoni's kinds: one map, and whether a new attempt can help (the
// model is Hyperswitch's per-connector error map). Codes never seen before are `refused` and
// not retryable: a person must look, because a retry cannot fix what nobody understands.
import type { ReasonContext, ReasonInfo } from '../reasons';

const reasons = new Map<string, ReasonInfo>([
  ['APPROVAL_REJECTED', { kind: 'declined', retryable: false }],
  ['EXPIRED', { kind: 'not_approved_in_time', retryable: true }],
  // The platform's disbursement account is short, or a wallet is over a daily limit: both
  // clear with time or a top-up.
  ['NOT_ENOUGH_FUNDS', { kind: 'not_enough_funds', retryable: true }],
  ['PAYER_LIMIT_REACHED', { kind: 'limit_reached', retryable: true }],
  ['PAYEE_NOT_FOUND', { kind: 'party_unknown', retryable: false }],
  ['PAYER_NOT_FOUND', { kind: 'party_unknown', retryable: false }],
  ['INTERNAL_PROCESSING_ERROR', { kind: 'provider_unavailable', retryable: true }],
  ['SERVICE_UNAVAILABLE', { kind: 'provider_unavailable', retryable: true }],
  ['COULD_NOT_PERFORM_TRANSACTION', { kind: 'provider_unavailable', retryable: true }],
  ['TRANSACTION_NOT_FOUND', { kind: 'provider_unavailable', retryable: true }],
]);

const unknownReason: ReasonInfo = { kind: 'refused', retryable: false };
const notApprovedInTime: ReasonInfo = { kind: 'not_approved_in_time', retryable: true };

/**
 * MoMo's reason map. A prompt the payer never answers fails with COULD_NOT_PERFORM_TRANSACTION
 * once MoMo's approval window has run out (momo-api.md): at that age it means "not approved in
 * time", not that MoMo was unwell. `approvalWindowMs` is that window.
 */
export function momoReasonMap(approvalWindowMs: number) {
  return (code: string, context: ReasonContext): ReasonInfo => {
    if (code === 'COULD_NOT_PERFORM_TRANSACTION' && context.pendingForMs >= approvalWindowMs * 0.9) return notApprovedInTime;
    return reasons.get(code) ?? unknownReason;
  };
}
