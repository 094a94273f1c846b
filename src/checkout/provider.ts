// The narrow port the checkout workflow talks to. MoMo is one implementation
// (momo-provider.ts); another mobile-money provider can slot in behind the same five calls.

export interface ProviderTransaction {
  status: 'PENDING' | 'SUCCESSFUL' | 'FAILED';
  /** null when the provider's amount could not be read: never treated as a match. */
  amountMinor: number | null;
  currency: string;
  financialTransactionId: string | null;
  reason: string | null;
}

export interface CollectRequest {
  referenceId: string;
  amountMinor: number;
  currency: string;
  payerMsisdn: string;
  externalId: string;
  payerMessage: string;
  payeeNote: string;
  callbackUrl: string | null;
}

export interface PayoutRequest {
  referenceId: string;
  amountMinor: number;
  currency: string;
  payeeMsisdn: string;
  externalId: string;
  payerMessage: string;
  payeeNote: string;
  callbackUrl: string | null;
}

export interface ProviderBalance {
  availableBalance: string;
  currency: string;
}

/**
 * How a create call went wrong, which decides what the workflow may do next:
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
  ) {
    super(message);
  }
}

export interface PaymentProvider {
  readonly name: string;
  collect(request: CollectRequest): Promise<void>;
  /** null when the provider has no transaction with this reference. */
  getCollection(referenceId: string): Promise<ProviderTransaction | null>;
  payout(request: PayoutRequest): Promise<void>;
  getPayout(referenceId: string): Promise<ProviderTransaction | null>;
  balances(): Promise<{ collection: ProviderBalance; disbursement: ProviderBalance }>;
}
