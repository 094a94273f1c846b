// The sandbox test identifiers of momo-api.md §6.2. Any identifier not listed succeeds.
// 453/454 stay PENDING, as MTN's own SDK (JAVA MSISDN.java) describes them.
export type PlannedOutcome = { fail: string } | 'pending';

const PAYMENT_TABLE = new Map<string, PlannedOutcome>(Object.entries({
  '46733123450': { fail: 'INTERNAL_PROCESSING_ERROR' },
  '46733123451': { fail: 'APPROVAL_REJECTED' },
  '46733123452': { fail: 'EXPIRED' },
  '46733123453': 'pending',
  '46733123454': 'pending',
  '46733123455': { fail: 'PAYER_NOT_FOUND' },
  '46733123456': { fail: 'PAYEE_NOT_ALLOWED_TO_RECEIVE' },
  '46733123457': { fail: 'NOT_ALLOWED' },
  '46733123458': { fail: 'NOT_ALLOWED_TARGET_ENVIRONMENT' },
  '46733123459': { fail: 'INVALID_CALLBACK_URL_HOST' },
  '46733123460': { fail: 'INVALID_CURRENCY' },
  '46733123461': { fail: 'INTERNAL_PROCESSING_ERROR' },
  '46733123462': { fail: 'SERVICE_UNAVAILABLE' },
  '46733123463': { fail: 'COULD_NOT_PERFORM_TRANSACTION' },
} satisfies Record<string, PlannedOutcome>));

/** Transfers use the same numbers shifted from 455 on (§6.2 "the numbers shift"). */
const TRANSFER_TABLE = new Map<string, PlannedOutcome>(Object.entries({
  '46733123450': { fail: 'INTERNAL_PROCESSING_ERROR' },
  '46733123451': { fail: 'APPROVAL_REJECTED' },
  '46733123452': { fail: 'EXPIRED' },
  '46733123453': 'pending',
  '46733123454': 'pending',
  '46733123455': { fail: 'NOT_ENOUGH_FUNDS' },
  '46733123456': { fail: 'PAYER_LIMIT_REACHED' },
  '46733123457': { fail: 'PAYEE_NOT_FOUND' },
  '46733123458': { fail: 'NOT_ALLOWED' },
  '46733123459': { fail: 'NOT_ALLOWED_TARGET_ENVIRONMENT' },
  '46733123460': { fail: 'INVALID_CALLBACK_URL_HOST' },
  '46733123461': { fail: 'INVALID_CURRENCY' },
  '46733123462': { fail: 'INTERNAL_PROCESSING_ERROR' },
  '46733123463': { fail: 'SERVICE_UNAVAILABLE' },
} satisfies Record<string, PlannedOutcome>));

export type TableName = 'payment' | 'transfer';

/**
 * requesttopay, requesttowithdraw and deposit read the payment table; transfers the shifted one.
 * Maps, because a party id is outside input and "constructor" must not find Object's.
 */
export function plannedOutcome(table: TableName, partyId: string): PlannedOutcome | undefined {
  return (table === 'payment' ? PAYMENT_TABLE : TRANSFER_TABLE).get(partyId);
}

/** Account-holder answers: 451 (NotActive) is `{result:false}`, the others are errors. */
export type HolderOutcome = { status: number; code: string; message: string } | 'inactive';

const HOLDER_ERRORS: [string, HolderOutcome][] = [
  ['NotFound', { status: 404, code: 'RESOURCE_NOT_FOUND', message: 'Account holder is not found' }],
  ['NotActive', 'inactive'],
  ['NotAllowed', { status: 500, code: 'NOT_ALLOWED', message: 'Authorization failed. User does not have permission.' }],
  ['NotAllowedTargetEnvironment', { status: 500, code: 'NOT_ALLOWED_TARGET_ENVIRONMENT', message: 'Access to target environment is forbidden.' }],
  ['InternalProcessingError', { status: 500, code: 'INTERNAL_PROCESSING_ERROR', message: 'An internal error occurred while processing.' }],
  ['ServiceUnavailable', { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'Service is currently unavailable.' }],
];

const HOLDER_IDS: string[][] = [
  ['46733123450', 'notfound@email.com', '5cecb5a7-8bd0-4f49-87b1-8eb9ecc7b7bc'],
  ['46733123451', 'notactive@email.com', 'b0040b3c-b426-4a90-af6e-673e65861cd7'],
  ['46733123452', 'notallowed@email.com', '4d5f500f-c385-4901-9be5-25b6d36ad220'],
  ['46733123453', 'notallowedtargetenvironment@email.com', 'd2265f9b-0c22-496d-908f-79a65ad66266'],
  ['46733123454', 'internalprocessingerror@email.com', '8f548a78-ceb8-4d12-a243-5640b91e91a4'],
  ['46733123455', 'serviceunavailable@email.com', '585c07a4-2c80-42f7-9e73-e586b36dee68'],
];

const HOLDER_TABLE = new Map<string, HolderOutcome>(
  HOLDER_IDS.flatMap((ids, row) => ids.map((id) => [id, HOLDER_ERRORS[row]![1]] as [string, HolderOutcome])),
);

export function holderOutcome(id: string): HolderOutcome | undefined {
  return HOLDER_TABLE.get(id.toLowerCase());
}
