// The narrow port the money-movement engine talks to. An adapter owns everything about its
// provider: building and sending requests (message cleaning included), reading status,
// parsing its callbacks and mapping its reason codes to Sokoni's reason kinds. The core sees
// references, amounts, statuses and kinds, never a provider's wire shapes.
import type { ReasonContext, ReasonInfo } from './reasons';

/** What moves money: a collection from a payer, a payout to a payee, a refund of a collection back to its payer. */
export type MovementKind = 'collection' | 'payout' | 'refund';

export interface ProviderTransaction {
  status: 'PENDING' | 'SUCCESSFUL' | 'FAILED';
  /** null when the provider's amount could not be read: never treated as a match. */
  amountMinor: number | null;
  currency: string;
  financialTransactionId: string | null;
  /** The provider's own reason code for a FAILED transaction, kept as sent for operators. */
  reason: string | null;
}

export interface SendRequest {
  kind: MovementKind;
  referenceId: string;
  amountMinor: number;
  currency: string;
  /** The payer of a collection, the payee of a payout: country code first, digits only. */
  partyMsisdn: string;
  externalId: string;
  /** Plain text; the adapter cleans it to what its provider accepts. */
  payerMessage: string;
  payeeNote: string;
  callbackUrl: string | null;
  /**
   * A refund's: the reference of the collection attempt that took the money (the one the
   * provider says SUCCESSFUL). The provider pays its payer back; `partyMsisdn` is for our records.
   */
  refundOf?: string;
}

export interface ProviderBalance {
  availableBalance: string;
  currency: string;
}

/** A callback as it arrived: its query parameters and its raw body. */
export interface IncomingCallback {
  query: Readonly<Record<string, unknown>>;
  body: string;
}

/**
 * How a create call went wrong, which decides what the engine may do next:
 * - `rejected`: the provider refused it; nothing was created.
 * - `duplicate`: the reference already exists, so an earlier send arrived.
 * - `unknown`: it may or may not have been created; only a status read can tell.
 */
export type ProviderErrorKind = 'rejected' | 'duplicate' | 'unknown';

export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(
    readonly kind: ProviderErrorKind,
    readonly code: string,
    message: string,
    readonly status: number | null = null,
    /** When the provider's client will let a call through again (its circuit breaker is open). */
    readonly retryAt: number | null = null,
  ) {
    super(message);
  }
}

export interface PaymentProvider {
  readonly name: string;
  /** Resolves once the provider accepted the request; throws a ProviderError otherwise. */
  send(request: SendRequest): Promise<void>;
  /** null when the provider has no transaction with this reference; a ProviderError when it could not be asked. */
  read(kind: MovementKind, referenceId: string): Promise<ProviderTransaction | null>;
  balances(): Promise<{ collection: ProviderBalance; disbursement: ProviderBalance }>;
  /** The reference a callback names, or null when it names none we could have sent. */
  parseCallback(callback: IncomingCallback): string | null;
  /** What a reason code means to Sokoni, and whether a new attempt can help. */
  reasonOf(code: string, context: ReasonContext): ReasonInfo;
  /** Whether this provider, as configured, can take payments in this currency. */
  acceptsCurrency(code: string): boolean;
}
