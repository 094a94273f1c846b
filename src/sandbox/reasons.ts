// Failure reasons and how a FAILED status carries them. The observed sandbox sends `reason` as a
// plain string; the portal spec says `{code, message}` (momo-api.md §5.4). String is the default,
// the object form is selected by the `reasonShape` setting.
export const REASON_MESSAGES: Record<string, string> = {
  PAYEE_NOT_FOUND: 'Payee does not exist',
  PAYER_NOT_FOUND: 'Payer does not exist',
  NOT_ALLOWED: 'Authorization failed. User does not have permission.',
  NOT_ALLOWED_TARGET_ENVIRONMENT: 'Access to target environment is forbidden.',
  INVALID_CALLBACK_URL_HOST: 'Callback URL with different host than registered.',
  INVALID_CURRENCY: 'Currency not supported.',
  SERVICE_UNAVAILABLE: 'Service is currently unavailable.',
  INTERNAL_PROCESSING_ERROR: 'An internal error occurred while processing.',
  NOT_ENOUGH_FUNDS: 'The payer does not have enough funds.',
  PAYER_LIMIT_REACHED: 'The payer limit has been reached.',
  PAYEE_NOT_ALLOWED_TO_RECEIVE: 'The payee is not allowed to receive.',
  PAYMENT_NOT_APPROVED: 'The payment was not approved.',
  RESOURCE_NOT_FOUND: 'Requested resource was not found.',
  APPROVAL_REJECTED: 'The payer rejected the request.',
  EXPIRED: 'The request expired.',
  TRANSACTION_CANCELED: 'The transaction was cancelled.',
  COULD_NOT_PERFORM_TRANSACTION: 'The payer did not approve in time.',
};

export function formatReason(code: string, shape: 'string' | 'object'): string | { code: string; message: string } {
  return shape === 'string' ? code : { code, message: REASON_MESSAGES[code] ?? code };
}
