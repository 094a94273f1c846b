// Field parsing shared by /pay, the catalogue API and the forms.
//
// Status rule: 400 when a field is wrong on its own terms: missing, the wrong type, bad syntax,
// or outside a range fixed by the API (qty 1–100, shareBps 0–10000, name length...).
// 422 when a field is well-formed but refused by something outside it: the market's country
// code here, and the catalogue's and checkout's rules (a currency's limits, an unknown seller, an
// inactive product) in their services. Schemas mark a 422 issue with `unacceptable(...)`; every
// other issue is a 400, and so is an unknown field in a strict body.
import { isPossiblePhoneNumber } from 'libphonenumber-js';
import { z } from 'zod';
import { currencyCodes, findCurrency } from '../money';
import { ANY_UUID } from '../uuid';
import { ApiError } from './errors';

const UNACCEPTABLE = 422;

/** Params for a zod custom issue that should answer 422 rather than 400. */
export function unacceptable(code = 'invalid_field'): { params: { status: number; code: string } } {
  return { params: { status: UNACCEPTABLE, code } };
}

/** Parses `body` with `schema`, or throws the ApiError for the first bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const input = body === undefined || body === null ? {} : body;
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ApiError(400, 'invalid_body', 'Send the fields as a JSON object or a form');
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const unknown = [...issue.path.map(String), issue.keys[0]!].join('.');
    throw new ApiError(400, 'unknown_field', `${unknown} is not a field here`, unknown);
  }
  const field = issue.path.map(String).join('.') || undefined;
  const params = (issue as { params?: { status?: number; code?: string } }).params;
  const missing = field !== undefined && valueAt(input, issue.path) === undefined && issue.code === 'invalid_type';
  const message = missing ? `${field} is required` : field ? `${field} ${issue.message}` : issue.message;
  throw new ApiError(params?.status ?? 400, params?.code ?? 'invalid_field', message, field);
}

function valueAt(value: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((at, key) => (typeof at === 'object' && at !== null ? (at as Record<PropertyKey, unknown>)[key] : undefined), value);
}

/** A whole number given as a JSON number or, as forms send them, a string of digits. */
export function wholeNumber(min: number, max: number) {
  return z.preprocess(
    (v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
    z
      .number({ error: 'must be a whole number' })
      .int({ error: 'must be a whole number' })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` }),
  );
}

export const qty = wholeNumber(1, 100);
export const shareBps = wholeNumber(0, 10_000);
/** Positive and safe; the currency's limits are the catalogue's rule (422). */
export const priceMinor = wholeNumber(1, Number.MAX_SAFE_INTEGER);

export const currency = z
  .string({ error: 'must be a currency code such as EUR or UGX' })
  .refine((code) => findCurrency(code) !== undefined, { error: `must be one of ${currencyCodes().join(', ')}` });

// Control characters (other than the newlines a description may hold) are never wanted in
// text that ends up on pages and in MoMo's payer messages. The classes are built from a list of
// code points because a pattern that spells control characters is what no-control-regex forbids
// (it is usually a mistake; here finding them is the point).
const C0_AND_DEL = [...Array.from({ length: 0x20 }, (_, code) => code), 0x7f];
const TAB_AND_NEWLINES = [0x09, 0x0a, 0x0d];
const characterClass = (codes: number[]) => new RegExp(`[${codes.map((code) => `\\u${code.toString(16).padStart(4, '0')}`).join('')}]`);
const CONTROL = characterClass(C0_AND_DEL);
const CONTROL_BUT_NEWLINES = characterClass(C0_AND_DEL.filter((code) => !TAB_AND_NEWLINES.includes(code)));

export function name(max = 100) {
  return z
    .string({ error: 'must be text' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })
    .refine((v) => !CONTROL.test(v), { error: 'must not contain control characters' });
}

export const description = z
  .string({ error: 'must be text' })
  .trim()
  .max(2000, { error: 'must be at most 2000 characters' })
  .refine((v) => !CONTROL_BUT_NEWLINES.test(v), { error: 'must not contain control characters' });

export const uuid = z
  .string({ error: 'must be an id' })
  .regex(ANY_UUID, { error: 'must be a UUID' })
  .transform((v) => v.toLowerCase());

export const active = z.preprocess(
  (v) => (v === 'true' ? true : v === 'false' ? false : v),
  z.boolean({ error: 'must be true or false' }),
);

/** Country calling code of each MoMo market, by target environment. */
export const MARKET_COUNTRY_CODES: Readonly<Record<string, string>> = {
  mtnuganda: '256',
  mtnghana: '233',
  mtnrwanda: '250',
  mtnzambia: '260',
  mtnnigeria: '234',
  mtnbenin: '229',
  mtncameroon: '237',
  mtncongo: '242',
  mtnivorycoast: '225',
  mtnguineaconakry: '224',
  mtnliberia: '231',
  mtnswaziland: '268',
  mtnsouthafrica: '27',
  mtnsouthsudan: '211',
};

const SEPARATORS = /[\s+().-]/g;
const possible = (digits: string) => isPossiblePhoneNumber(`+${digits}`);

/**
 * The number a shopper meant. With a default country code, a local form ("0772 123456",
 * "772 123456") is a number in that country; a leading + or the country code itself marks an
 * international one. Without a default, the digits are taken as typed.
 */
export function normaliseMsisdn(typed: string, defaultCountryCode: string | null): string {
  const digits = typed.replace(SEPARATORS, '');
  if (defaultCountryCode === null || typed.trim().startsWith('+') || !/^\d+$/.test(digits)) return digits;
  if (digits.startsWith('0')) return defaultCountryCode + digits.slice(1);
  if (digits.startsWith(defaultCountryCode) && possible(digits)) return digits;
  return possible(defaultCountryCode + digits) ? defaultCountryCode + digits : digits;
}

/**
 * A MoMo MSISDN: country code first, 8–15 digits, no leading 0, and a length that country's
 * numbers have (libphonenumber's table), so "772123456", with no country code, is refused
 * rather than sent to MoMo. People write numbers as "+256 772-123.456" or "(256) 772 123456",
 * so `+`, spaces, dashes, dots and parentheses are removed first, and with `defaultCountryCode`
 * (DEFAULT_COUNTRY_CODE) local forms are taken as that country's. The sandbox takes any country
 * code (its test numbers are not from one market); a live market only its own. A market missing
 * from the table is not checked for its prefix.
 */
export function msisdn(targetEnvironment: string, defaultCountryCode: string | null = null) {
  const countryCode = targetEnvironment === 'sandbox' ? undefined : MARKET_COUNTRY_CODES[targetEnvironment];
  const expected = countryCode ? `the country code ${countryCode}` : 'the country code, e.g. 256 772 123456';
  return z
    .string({ error: 'must be a phone number' })
    .transform((v) => normaliseMsisdn(v, defaultCountryCode))
    .pipe(
      z
        .string()
        .regex(/^\d+$/, { error: 'must contain only digits, starting with the country code' })
        .regex(/^[1-9]/, { error: 'must start with the country code, not 0' })
        .min(8, { error: 'must have at least 8 digits' })
        .max(15, { error: 'must have at most 15 digits' })
        .refine(possible, { error: `must be a whole MoMo number starting with ${expected}` }),
    )
    .refine((v) => countryCode === undefined || v.startsWith(countryCode), {
      error: `must be a number in this market, starting with ${countryCode}`,
      ...unacceptable(),
    });
}

/** "256772123456" → "2567*****456": enough to recognise a number, not enough to use it. */
export function maskMsisdn(value: string): string {
  const [head, tail] = value.length >= 10 ? [4, 3] : value.length >= 6 ? [2, 2] : [0, 0];
  return value.slice(0, head) + '*'.repeat(value.length - head - tail) + value.slice(value.length - tail);
}
