// The public shapes of Sokoni's MoMo Open API client. Amounts enter as integer minor units
// and leave on the wire as decimal strings (see src/money).
import type { MomoProduct, ProductCredentials } from './settings';

export type { MomoProduct, ProductCredentials };

export type PartyIdType = 'MSISDN' | 'EMAIL' | 'PARTY_CODE';

export interface Party {
  partyIdType: PartyIdType;
  partyId: string;
}

export type TransactionStatus = 'PENDING' | 'SUCCESSFUL' | 'FAILED';

/** MoMo sends `reason` as a string or as `{code, message}`; the client always gives this. */
export interface Reason {
  code: string;
  message: string | null;
}

interface CreateCommon {
  /** Caller-chosen UUIDv4, stored before the call so a lost answer can be looked up. */
  referenceId: string;
  amountMinor: number;
  currency: string;
  externalId: string;
  payerMessage: string;
  payeeNote: string;
  /** Sent as X-Callback-Url when present. */
  callbackUrl?: string;
}

export interface RequestToPayInput extends CreateCommon {
  payer: Party;
}

export interface TransferInput extends CreateCommon {
  payee: Party;
}

export interface RefundInput extends Omit<CreateCommon, 'amountMinor'> {
  amountMinor: number;
  referenceIdToRefund: string;
}

/** A status read. A FAILED transaction is a result with a reason, never a thrown error. */
export interface TransactionResult {
  referenceId: string;
  status: TransactionStatus;
  /** The amount exactly as MoMo echoed it. */
  amount: string;
  /** `amount` parsed into minor units of `currency`; null when it cannot be parsed. */
  amountMinor: number | null;
  currency: string;
  externalId: string | null;
  financialTransactionId: string | null;
  /** payer for collections, payee for transfers and refunds. */
  party: Party | null;
  payerMessage: string | null;
  payeeNote: string | null;
  reason: Reason | null;
}

export interface Balance {
  availableBalance: string;
  currency: string;
}

export interface BasicUserInfo {
  given_name?: string;
  family_name?: string;
  birthdate?: string;
  locale?: string;
  gender?: string;
  [key: string]: unknown;
}

export type AccountHolderIdType = 'msisdn' | 'email' | 'party_code';

export interface MomoClientOptions {
  /** e.g. https://sandbox.momodeveloper.mtn.com or http://127.0.0.1:3000/sandbox */
  baseUrl: string;
  targetEnvironment: string;
  credentials: Partial<Record<MomoProduct, ProductCredentials>>;
  timeoutMs?: number;
  /** Keep-alive sockets open at once to MoMo; more exchanges wait for a free one. Default 64. */
  maxSockets?: number;
  maxRetries?: number;
  /**
   * Status reads (and other calls that create nothing: balances, account holders, delivery
   * notifications) per second per product, shared by every call of this client. Default 10.
   */
  statusReadsPerSecond?: number;
  /** Transaction-creating POSTs and token requests per second per product, a lane of their own. Default 50. */
  createsPerSecond?: number;
  circuitThreshold?: number;
  circuitCooldownMs?: number;
  /** Told about every HTTP exchange; never given secrets or tokens. */
  onRequest?: (event: MomoRequestEvent) => void;
  /** Told about every call once it is over (its retries, token renewal and rate-limit wait included): for metrics. */
  onCall?: (event: MomoCallEvent) => void;
  /** First retry waits up to this long (full jitter, doubling each retry). Default 200. */
  retryBaseDelayMs?: number;
  /** No retry waits longer than this. Default 5000. */
  retryMaxDelayMs?: number;
  /**
   * Clock for token expiry and for the retryAt of health() and CIRCUIT_OPEN, in epoch
   * milliseconds; tests move it forward. Default Date.now. (Cool-downs and pacing themselves run
   * on the monotonic clock.)
   */
  clock?: () => number;
}

export interface MomoRequestEvent {
  product: MomoProduct | 'provisioning';
  operation: string;
  method: string;
  path: string;
  referenceId: string | null;
  status: number | null;
  durationMs: number;
  attempt: number;
  outcome: 'ok' | 'error';
  errorCode: string | null;
  /** When the exchange began, epoch milliseconds. */
  startedAt?: number;
}

/** One client call as its caller saw it, from start to result; never a reference, a secret or a token. */
export interface MomoCallEvent {
  product: MomoProduct | 'provisioning';
  /** e.g. `collection.requestToPay` */
  operation: string;
  /** `ok`, or the failure's MomoError code (MoMo's own, a gateway's, or a ClientErrorCode such as TIMEOUT or CIRCUIT_OPEN). */
  outcome: string;
  /** MoMo's HTTP status for the last answer; null when there was none (timeout, network, open circuit). */
  status: number | null;
  durationMs: number;
}

export interface Collections {
  requestToPay(input: RequestToPayInput): Promise<string>;
  getRequestToPay(referenceId: string): Promise<TransactionResult>;
  requestToWithdraw(input: RequestToPayInput, version?: 'v1_0' | 'v2_0'): Promise<string>;
  getRequestToWithdraw(referenceId: string): Promise<TransactionResult>;
  getBalance(currency?: string): Promise<Balance>;
  isAccountHolderActive(idType: AccountHolderIdType, id: string): Promise<boolean>;
  getBasicUserInfo(idType: AccountHolderIdType, id: string): Promise<BasicUserInfo>;
  deliveryNotification(referenceId: string, message: string, language?: string): Promise<void>;
}

export interface Disbursements {
  transfer(input: TransferInput): Promise<string>;
  getTransfer(referenceId: string): Promise<TransactionResult>;
  deposit(input: TransferInput, version?: 'v1_0' | 'v2_0'): Promise<string>;
  getDeposit(referenceId: string): Promise<TransactionResult>;
  refund(input: RefundInput, version?: 'v1_0' | 'v2_0'): Promise<string>;
  getRefund(referenceId: string): Promise<TransactionResult>;
  getBalance(currency?: string): Promise<Balance>;
  isAccountHolderActive(idType: AccountHolderIdType, id: string): Promise<boolean>;
  getBasicUserInfo(idType: AccountHolderIdType, id: string): Promise<BasicUserInfo>;
}

export interface Remittances {
  transfer(input: TransferInput): Promise<string>;
  getTransfer(referenceId: string): Promise<TransactionResult>;
  getBalance(currency?: string): Promise<Balance>;
  isAccountHolderActive(idType: AccountHolderIdType, id: string): Promise<boolean>;
  getBasicUserInfo(idType: AccountHolderIdType, id: string): Promise<BasicUserInfo>;
}

/** Sandbox provisioning (POST /v1_0/apiuser ...); needs only a subscription key. */
export interface Provisioning {
  createApiUser(input: { referenceId: string; providerCallbackHost: string }): Promise<string>;
  getApiUser(apiUser: string): Promise<{ providerCallbackHost: string; targetEnvironment: string }>;
  createApiKey(apiUser: string): Promise<string>;
}

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitHealth {
  /** closed: calls go out; open: refused with CIRCUIT_OPEN until retryAt; half_open: one probe is out, others refused. */
  state: CircuitState;
  /** When a probe will be let through (epoch ms in the client's clock); null when closed. */
  retryAt: number | null;
}

export interface ProductHealth extends CircuitHealth {
  /** False when the product has no credentials: its calls fail with NOT_CONFIGURED. */
  configured: boolean;
}

export interface MomoClient {
  collection: Collections;
  disbursement: Disbursements;
  remittance: Remittances;
  provisioning(subscriptionKey: string): Provisioning;
  /** Each product's circuit, read without calling MoMo: cheap enough for every request to /readyz. */
  health(): Record<MomoProduct, ProductHealth>;
  /**
   * Closes the client's connections to MoMo once the exchanges under way have ended (each within
   * MOMO_TIMEOUT_MS); calls after it fail with NETWORK_ERROR. Idle connections never hold the
   * process open, so a short-lived client need not call it.
   */
  close(): Promise<void>;
}
