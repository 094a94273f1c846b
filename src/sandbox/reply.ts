// What handlers return instead of writing to the response: the dispatcher decides whether the
// answer reaches the client (the lost-answer fault needs the state change without the answer).
// The bodies copy the three shapes MoMo answers with (momo-api.md §5.1).
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const ok = (body?: unknown): Reply => ({ status: 200, body });
export const accepted = (): Reply => ({ status: 202 });

/** MoMo's own errors: `{code, message}`. */
export const momoError = (status: number, code: string, message: string): Reply => ({ status, body: { code, message } });

/** Azure API Management's errors (keys, routing): `{statusCode, message}`. */
export const gatewayError = (status: number, message: string): Reply => ({ status, body: { statusCode: status, message } });

/**
 * MTN documents no body for its 400s (momo-api.md §5.2 lists causes, no code), so the sandbox
 * sends MoMo's shape with a code outside the reason enum and a message that says what was wrong.
 */
export const badRequest = (message: string): Reply => momoError(400, 'BAD_REQUEST', message);

export const notFound = (): Reply => momoError(404, 'RESOURCE_NOT_FOUND', 'Requested resource was not found.');

export const duplicate = (): Reply =>
  momoError(409, 'RESOURCE_ALREADY_EXIST', 'Duplicated reference id. Creation of resource failed.');

export const invalidCurrency = (): Reply => momoError(500, 'INVALID_CURRENCY', 'Currency not supported.');

export const wrongEnvironment = (): Reply =>
  momoError(500, 'NOT_ALLOWED_TARGET_ENVIRONMENT', 'Access to target environment is forbidden.');

export const internalError = (): Reply =>
  momoError(500, 'INTERNAL_PROCESSING_ERROR', 'An internal error occurred while processing.');

export const serviceUnavailable = (): Reply => momoError(503, 'SERVICE_UNAVAILABLE', 'Service is currently unavailable.');

/**
 * Over a rate limit. MTN does not document this answer (momo-api.md §5.2, §9); limits are enforced
 * by its gateway, Azure APIM, so this is APIM's rate-limit answer in the gateway's shape, with
 * `Retry-After` added by the dispatcher.
 */
export const tooManyRequests = (): Reply => ({ ...gatewayError(429, 'Rate limit is exceeded. Try again in 1 seconds.'), headers: { 'Retry-After': '1' } });

/** Azure APIM's answer for a path no operation matches. */
export const noSuchOperation = (): Reply => gatewayError(404, 'Resource not found');
