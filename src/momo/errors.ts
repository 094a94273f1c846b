// One error type for everything the client can fail with, so callers branch on `code`,
// `status` and `retryable` instead of on classes. MoMo speaks three error dialects (§5.1 of
// momo-api.md): its own `{code, message}`, the Azure gateway's `{statusCode, message}` and the
// token endpoint's `{error}`; some answers have no body at all. All of them end up here.

/** Codes the client makes up itself, for failures that have no MoMo answer to quote. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'TIMEOUT' | 'CIRCUIT_OPEN' | 'VALIDATION_ERROR' | 'INVALID_RESPONSE' | 'NOT_CONFIGURED';

export interface MomoErrorInit {
  status: number | null;
  code: string;
  message: string;
  operation: string;
  referenceId: string | null;
  retryable: boolean;
  field?: string;
  retryAfterMs?: number;
  retryAt?: number;
}

export class MomoError extends Error {
  override name = 'MomoError';
  /** HTTP status of MoMo's answer; null when there was no answer. */
  readonly status: number | null;
  /** MoMo's code as sent (unknown codes kept verbatim), a gateway or token code, or a ClientErrorCode. */
  readonly code: string;
  /** Which client call failed, e.g. `collection.requestToPay`. */
  readonly operation: string;
  readonly referenceId: string | null;
  /** True when trying the same call again later may succeed (with the same reference id). */
  readonly retryable: boolean;
  /** For VALIDATION_ERROR: the input field that was refused, e.g. `payer.partyId`. */
  readonly field?: string;
  /** From a Retry-After header, when MoMo sent one. */
  readonly retryAfterMs?: number;
  /** For CIRCUIT_OPEN: when the circuit will let a probe through, epoch ms in the client's clock. */
  readonly retryAt?: number;

  constructor(init: MomoErrorInit) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.operation = init.operation;
    this.referenceId = init.referenceId;
    this.retryable = init.retryable;
    if (init.field !== undefined) this.field = init.field;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.retryAt !== undefined) this.retryAt = init.retryAt;
  }
}

/** What the transport hands back for every answer, whatever its status. */
export interface HttpAnswer {
  status: number;
  /** Parsed JSON, the raw text when it is not JSON, or null when empty. */
  body: unknown;
  headers: Record<string, string>;
}

// Names for answers that carry no code of their own (gateway errors, empty bodies).
const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

// 500s that describe the request (wrong currency, unknown payer...) rather than an ailing
// service: they are answers, so they neither open the circuit nor deserve a retry.
const REQUEST_SPECIFIC_CODES = new Set([
  'NOT_ALLOWED',
  'NOT_ALLOWED_TARGET_ENVIRONMENT',
  'INVALID_CALLBACK_URL_HOST',
  'INVALID_CURRENCY',
  'PAYER_NOT_FOUND',
  'PAYEE_NOT_FOUND',
  'NOT_ENOUGH_FUNDS',
  'PAYER_LIMIT_REACHED',
  'PAYEE_NOT_ALLOWED_TO_RECEIVE',
  'RESOURCE_NOT_FOUND',
  'RESOURCE_ALREADY_EXIST',
  'login_failed',
]);

// 502 and 504 join the listed 429/503 because a gateway that failed to reach MoMo is as
// transient as MoMo saying it is unavailable, and retries reuse the reference id, so a
// request that did get through is recognised by its 409.
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

function statusCodeName(status: number): string {
  return STATUS_CODES[status] ?? `HTTP_${status}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** Reads whichever of the three dialects the body speaks. */
export function describeBody(status: number, body: unknown): { code: string; message: string } {
  if (isRecord(body)) {
    const code = text(body.code);
    const message = text(body.message);
    if (code) return { code, message: message ?? code };
    const tokenError = text(body.error);
    if (tokenError) return { code: tokenError, message: text(body.error_description) ?? message ?? tokenError };
    if (message) return { code: statusCodeName(status), message };
  }
  const raw = text(body);
  // A gateway may answer with an HTML page; a short excerpt is enough to recognise it.
  const excerpt = raw ? raw.replace(/\s+/g, ' ').slice(0, 200) : `HTTP ${status}`;
  return { code: statusCodeName(status), message: excerpt };
}

function retryAfterMs(headers: Record<string, string>): number | undefined {
  const value = headers['retry-after'];
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function isRetryableAnswer(status: number, code: string): boolean {
  return RETRYABLE_STATUSES.has(status) || code === 'SERVICE_UNAVAILABLE';
}

/** Whether MoMo's code is an answer about this request (wrong currency, unknown payee...), not an outage. */
export function isRequestSpecificCode(code: string): boolean {
  return REQUEST_SPECIFIC_CODES.has(code);
}

/**
 * Whether a failure says the service itself is failing, which is what the circuit counts: no
 * answer at all, or a 5xx that is not about the request.
 */
export function isOutage(status: number | null, code: string): boolean {
  if (status === null) return code === 'NETWORK_ERROR' || code === 'TIMEOUT';
  return status >= 500 && !isRequestSpecificCode(code);
}

export function isOutageAnswer(answer: HttpAnswer): boolean {
  return answer.status >= 500 && isOutage(answer.status, describeBody(answer.status, answer.body).code);
}

export function errorFromAnswer(answer: HttpAnswer, operation: string, referenceId: string | null): MomoError {
  const { code, message } = describeBody(answer.status, answer.body);
  const after = retryAfterMs(answer.headers);
  return new MomoError({
    status: answer.status,
    code,
    message,
    operation,
    referenceId,
    retryable: isRetryableAnswer(answer.status, code),
    ...(after !== undefined ? { retryAfterMs: after } : {}),
  });
}

/** A copy of `error` with some fields replaced, e.g. to name the client call a token failure broke. */
export function rewrap(error: MomoError, changes: Partial<MomoErrorInit>): MomoError {
  return new MomoError({
    status: error.status,
    code: error.code,
    message: error.message,
    operation: error.operation,
    referenceId: error.referenceId,
    retryable: error.retryable,
    ...(error.field !== undefined ? { field: error.field } : {}),
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    ...(error.retryAt !== undefined ? { retryAt: error.retryAt } : {}),
    ...changes,
  });
}

export function validationError(operation: string, referenceId: string | null, field: string, message: string): MomoError {
  return new MomoError({ status: null, code: 'VALIDATION_ERROR', message: `${field}: ${message}`, operation, referenceId, retryable: false, field });
}

export function invalidResponse(answer: HttpAnswer, operation: string, referenceId: string | null, what: string): MomoError {
  return new MomoError({ status: answer.status, code: 'INVALID_RESPONSE', message: `unexpected answer from MoMo: ${what}`, operation, referenceId, retryable: false });
}

/** Network errors and timeouts: no answer, so the outcome of a create is unknown. */
export function isNoAnswer(error: unknown): error is MomoError {
  return error instanceof MomoError && (error.code === 'NETWORK_ERROR' || error.code === 'TIMEOUT');
}
