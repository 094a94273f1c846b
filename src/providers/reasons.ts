// Sokoni's own words for why money did not move. Each provider maps its codes to these kinds
// (its reason map); shopper, seller and operator wording keys off the kind, once, so a second
// provider needs no new wording.
export type ReasonKind =
  /** The payer said no on their phone. */
  | 'declined'
  /** The payer did not approve within the provider's window. */
  | 'not_approved_in_time'
  /** Not enough money in the wallet or account that pays. */
  | 'not_enough_funds'
  /** The wallet is over a spending or receiving limit. */
  | 'limit_reached'
  /** The number has no wallet with this provider. */
  | 'party_unknown'
  /** The provider could not process it just now. */
  | 'provider_unavailable'
  /** The provider could not be reached before the send deadline: nothing was sent that it accepted. */
  | 'provider_unreachable'
  /** The provider said SUCCESSFUL for another amount or currency than was asked: Sokoni's own. */
  | 'amount_mismatch'
  /** Anything else the provider refused, including codes never seen before. */
  | 'refused';

/** What a provider may need besides the code to tell what it means. */
export interface ReasonContext {
  /** How long the transaction waited at the provider (since it accepted it) before it failed. */
  pendingForMs: number;
}

export interface ReasonInfo {
  kind: ReasonKind;
  /** A new attempt (a new reference, later) can succeed without a person changing anything. */
  retryable: boolean;
}

/** Sokoni's code for a SUCCESSFUL read whose amount or currency is not what was asked. */
export const AMOUNT_MISMATCH = 'AMOUNT_MISMATCH';
/** Sokoni's code for a payment the provider had not accepted by PAY_SEND_DEADLINE_S. */
export const SEND_DEADLINE = 'SEND_DEADLINE';

/** Sokoni's own codes, the same whatever the provider. */
export const sokoniReasons: ReadonlyMap<string, ReasonInfo> = new Map<string, ReasonInfo>([
  [AMOUNT_MISMATCH, { kind: 'amount_mismatch', retryable: false }],
  [SEND_DEADLINE, { kind: 'provider_unreachable', retryable: false }],
]);
