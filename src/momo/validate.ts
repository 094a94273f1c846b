// Checks run before anything is sent, so a malformed request fails here with the field
// named instead of at MoMo with a bare 400 (or, worse, a 202 and a transaction that never
// appears: momo-api.md §8.6, #84).
//
// Messages (payerMessage, payeeNote, delivery notifications) are CLEANED rather than refused
// for the two characters MoMo rejects: an apostrophe is dropped ("Mama's" → "Mamas") and an
// ampersand becomes "and". Sokoni builds these texts from shop and product names, and a
// checkout should not fail because a shop is called "Salt & Pepper". What remains must be
// non-empty (production answers 500 to empty texts) and at most 160 characters, else refused.
import { findCurrency } from '../money';
import { validationError } from './errors';
import { isUuid, isUuidV4 } from './ids';
import type { AccountHolderIdType, Party } from './types';

export const MAX_MESSAGE_LENGTH = 160;

const PARTY_ID_TYPES = new Set(['MSISDN', 'EMAIL', 'PARTY_CODE']);
const ACCOUNT_HOLDER_ID_TYPES = new Set(['msisdn', 'email', 'party_code']);
// E.164 digits with the country code and without '+', as MoMo expects.
const MSISDN = /^\d{8,15}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/** Validation for one client call; every failure names the call and the field. */
export class Checker {
  constructor(
    private readonly operation: string,
    private readonly referenceId: string | null,
  ) {}

  fail(field: string, message: string): never {
    throw validationError(this.operation, this.referenceId, field, message);
  }

  referenceIdV4(value: unknown, field = 'referenceId'): string {
    if (!isUuidV4(value)) this.fail(field, 'must be a UUID v4 (use newReferenceId())');
    return value;
  }

  currency(value: unknown, field = 'currency'): string {
    if (typeof value !== 'string' || !findCurrency(value)) this.fail(field, `must be an ISO 4217 code Sokoni knows, got ${JSON.stringify(value)}`);
    return value;
  }

  /** A whole number of minor units inside the currency's per-transaction limits. */
  amount(amountMinor: unknown, currencyCode: string): number {
    if (typeof amountMinor !== 'number' || !Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
      this.fail('amountMinor', `must be a positive whole number of minor units, got ${String(amountMinor)}`);
    }
    const currency = findCurrency(currencyCode)!;
    if (amountMinor < currency.minMinor || amountMinor > currency.maxMinor) {
      this.fail('amountMinor', `must be between ${currency.minMinor} and ${currency.maxMinor} minor units of ${currency.code}, got ${amountMinor}`);
    }
    return amountMinor;
  }

  party(value: unknown, field: string): Party {
    if (typeof value !== 'object' || value === null) this.fail(field, 'is required');
    const { partyIdType, partyId } = value as Record<string, unknown>;
    if (typeof partyIdType !== 'string' || !PARTY_ID_TYPES.has(partyIdType)) this.fail(`${field}.partyIdType`, 'must be MSISDN, EMAIL or PARTY_CODE');
    if (typeof partyId !== 'string') this.fail(`${field}.partyId`, 'is required');
    this.partyId(partyIdType, partyId, `${field}.partyId`);
    return { partyIdType: partyIdType as Party['partyIdType'], partyId };
  }

  accountHolder(idType: unknown, id: unknown): { idType: AccountHolderIdType; id: string } {
    // MoMo answers 404 to an upper-case type in the path, so the path always gets lower case.
    const type = typeof idType === 'string' ? idType.toLowerCase() : '';
    if (!ACCOUNT_HOLDER_ID_TYPES.has(type)) this.fail('idType', 'must be msisdn, email or party_code');
    if (typeof id !== 'string') this.fail('id', 'is required');
    this.partyId(type.toUpperCase(), id, 'id');
    return { idType: type as AccountHolderIdType, id };
  }

  text(value: unknown, field: string): string {
    if (typeof value !== 'string') this.fail(field, 'must be a string');
    return value;
  }

  /** See the note at the top of this file. */
  message(value: unknown, field: string): string {
    if (typeof value !== 'string') this.fail(field, 'must be a string');
    const cleaned = value
      .replace(/'/g, '')
      .replace(/\s*&\s*/g, ' and ')
      .replace(/\s+/g, ' ')
      .trim();
    if (cleaned === '') this.fail(field, 'must not be empty');
    if (cleaned.length > MAX_MESSAGE_LENGTH) this.fail(field, `must be at most ${MAX_MESSAGE_LENGTH} characters, got ${cleaned.length}`);
    return cleaned;
  }

  callbackUrl(value: unknown): string | undefined {
    if (value === undefined) return undefined;
    // MoMo answers 400 to an empty X-Callback-Url, and a header carries only ASCII.
    if (typeof value !== 'string' || !PRINTABLE_ASCII.test(value)) this.fail('callbackUrl', 'must be an absolute http(s) URL');
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.fail('callbackUrl', 'must be an absolute http(s) URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') this.fail('callbackUrl', 'must be an absolute http(s) URL');
    return value;
  }

  private partyId(type: string, id: string, field: string): void {
    if (type === 'MSISDN' && !MSISDN.test(id)) this.fail(field, 'must be 8 to 15 digits with the country code and no +, e.g. 256772123456');
    if (type === 'EMAIL' && (id.length > 254 || !EMAIL.test(id))) this.fail(field, 'must be an e-mail address');
    if (type === 'PARTY_CODE' && !isUuid(id)) this.fail(field, 'must be a UUID');
  }
}
