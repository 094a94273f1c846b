// Request checks as MoMo makes them (momo-api.md §4.2, §5.2, §9). Each returns either the clean
// value or the Reply MoMo would send.
import { parseDecimal } from '../money';
import { isUuid, isUuidV4 } from '../uuid';
import { badRequest, internalError, invalidCurrency, type Reply } from './reply';

// X-Reference-Id must be a UUID v4; path ids shaped like any UUID are looked up (then 404), and
// anything else is a 400.
export { isUuid, isUuidV4 };

export function isReply(v: unknown): v is Reply {
  return typeof v === 'object' && v !== null && 'status' in v && typeof (v as Reply).status === 'number';
}

export function referenceIdHeader(value: string | undefined): string | Reply {
  if (value === undefined || value === '') return badRequest('X-Reference-Id header is missing.');
  if (!isUuidV4(value)) return badRequest('X-Reference-Id must be a UUID version 4.');
  return value;
}

export function callbackUrlHeader(value: string | undefined): URL | null | Reply {
  if (value === undefined) return null;
  // LARAVEL #80: when the header is present it must not be empty.
  if (value.trim() === '') return badRequest('X-Callback-Url must not be empty.');
  try {
    const url = new URL(value.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return badRequest('X-Callback-Url must be an http or https URL.');
    return url;
  } catch {
    return badRequest('X-Callback-Url is not a valid URL.');
  }
}

export interface Party {
  partyIdType: string;
  partyId: string;
}

const PARTY_TYPES = new Set(['MSISDN', 'EMAIL', 'PARTY_CODE', 'ALIAS']);

const MESSAGE_LIMIT = 160;

/** `payerMessage`/`payeeNote`: at most 160 characters, no `'` or `&` (§9). */
function message(body: Record<string, unknown>, field: string): string | undefined | Reply {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return badRequest(`${field} must be a string.`);
  if (value.length > MESSAGE_LIMIT) return badRequest(`${field} must be at most ${MESSAGE_LIMIT} characters.`);
  if (value.includes("'") || value.includes('&')) return badRequest(`${field} contains an unsupported character (' or &).`);
  return value;
}

/** Clients send `amount` and `externalId` as JSON numbers too; MoMo takes their string forms. */
function stringish(value: unknown): string | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

export interface CreateBody {
  amount: string;
  amountMinor: number;
  currency: string;
  externalId?: string;
  party?: Party;
  payerMessage?: string;
  payeeNote?: string;
  referenceIdToRefund?: string;
}

/**
 * The checks shared by every creating POST. `partyField` is `payer`, `payee`, or null (refund).
 * Order: body shape and fields (400), then an empty party object (500), then the currency (500).
 */
export function createBody(raw: unknown, partyField: 'payer' | 'payee' | null, allowedCurrencies: string[]): CreateBody | Reply {
  if (raw === undefined || raw === null || typeof raw !== 'object' || Array.isArray(raw) || Object.keys(raw).length === 0) {
    return badRequest('The request body is empty or not a JSON object.');
  }
  const body = raw as Record<string, unknown>;
  const amount = stringish(body.amount);
  if (amount === undefined || amount === '') return badRequest('amount is required.');
  if (amount === null || !/^\d+(\.\d+)?$/.test(amount.trim())) return badRequest('amount must be a positive decimal number.');
  if (typeof body.currency !== 'string' || body.currency === '') return badRequest('currency is required.');
  const externalId = stringish(body.externalId);
  if (externalId === null) return badRequest('externalId must be a string.');
  const payerMessage = message(body, 'payerMessage');
  if (isReply(payerMessage)) return payerMessage;
  const payeeNote = message(body, 'payeeNote');
  if (isReply(payeeNote)) return payeeNote;

  let party: Party | undefined;
  let emptyParty = false;
  if (partyField) {
    const value = body[partyField];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return badRequest(`${partyField} is required.`);
    const fields = value as Record<string, unknown>;
    // An empty party object gets a 500 from MoMo, not a 400 (JAVA integration tests, §5.2).
    if (Object.keys(fields).length === 0) emptyParty = true;
    else {
      const { partyIdType, partyId } = fields;
      if (typeof partyIdType !== 'string' || !PARTY_TYPES.has(partyIdType.toUpperCase())) {
        return badRequest(`${partyField}.partyIdType must be MSISDN, EMAIL or PARTY_CODE.`);
      }
      const id = stringish(partyId);
      if (!id) return badRequest(`${partyField}.partyId is required.`);
      party = { partyIdType, partyId: id };
    }
  }
  let referenceIdToRefund: string | undefined;
  if (partyField === null) {
    if (!isUuid(body.referenceIdToRefund)) return badRequest('referenceIdToRefund must be a UUID.');
    referenceIdToRefund = body.referenceIdToRefund;
  }
  if (emptyParty) return internalError();
  if (!allowedCurrencies.includes(body.currency)) return invalidCurrency();

  let amountMinor: number;
  try {
    amountMinor = parseDecimal(amount, body.currency);
  } catch (e) {
    return badRequest(`amount: ${(e as Error).message}.`);
  }
  if (amountMinor <= 0) return badRequest('amount must be greater than zero.');

  return {
    amount,
    amountMinor,
    currency: body.currency,
    ...(externalId !== undefined && { externalId }),
    ...(party && { party }),
    ...(payerMessage !== undefined && { payerMessage }),
    ...(payeeNote !== undefined && { payeeNote }),
    ...(referenceIdToRefund && { referenceIdToRefund }),
  };
}

/** Wallets and test tables key MSISDNs by digits; `+256…` and `256…` are one account. */
export function walletKey(party: Party): string {
  return party.partyIdType.toUpperCase() === 'MSISDN' ? party.partyId.replace(/^\+/, '') : party.partyId.toLowerCase();
}
