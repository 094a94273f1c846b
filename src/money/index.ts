// Money as integer minor units. Nothing here touches floating point: amounts are parsed and
// printed digit by digit, and shares are computed with BigInt.
import { findCurrency, type Currency } from './currencies';

export { findCurrency, currencyCodes, type Currency } from './currencies';

export class MoneyError extends Error {
  override name = 'MoneyError';
}

export function currencyOf(code: string): Currency {
  const currency = findCurrency(code);
  if (!currency) throw new MoneyError(`unsupported currency ${code}`);
  return currency;
}

/** 12345 EUR → "123.45"; 5000 UGX → "5000". What MoMo receives as `amount`. */
export function toDecimalString(minor: number, currencyCode: string): string {
  if (!Number.isSafeInteger(minor) || minor < 0) throw new MoneyError(`amount must be a non-negative integer of minor units, got ${minor}`);
  const { exponent } = currencyOf(currencyCode);
  if (exponent === 0) return String(minor);
  const digits = String(minor).padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/**
 * "123.45" EUR → 12345. Accepts what MoMo may echo back ("6", "6.0", "6.50"); refuses more
 * decimals than the currency has, signs, exponents and anything that is not plain digits.
 */
export function parseDecimal(text: string, currencyCode: string): number {
  const { exponent } = currencyOf(currencyCode);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new MoneyError(`"${text}" is not a plain decimal amount`);
  const whole = match[1]!;
  const frac = (match[2] ?? '').replace(/0+$/, '');
  if (frac.length > exponent) throw new MoneyError(`"${text}" has more decimals than ${currencyCode} allows (${exponent})`);
  const minor = Number(whole + frac.padEnd(exponent, '0'));
  if (!Number.isSafeInteger(minor)) throw new MoneyError(`"${text}" is too large`);
  return minor;
}

export interface Split {
  seller: number;
  platform: number;
}

/** seller = floor(total × bps / 10000), platform = the remainder; the two always sum to total. */
export function splitShare(totalMinor: number, sellerBps: number): Split {
  if (!Number.isSafeInteger(totalMinor) || totalMinor < 0) throw new MoneyError(`total must be a non-negative integer, got ${totalMinor}`);
  if (!Number.isInteger(sellerBps) || sellerBps < 0 || sellerBps > 10_000) throw new MoneyError(`share must be 0–10000 basis points, got ${sellerBps}`);
  const seller = Number((BigInt(totalMinor) * BigInt(sellerBps)) / 10_000n);
  return { seller, platform: totalMinor - seller };
}

/** 12345 EUR → "€123.45" in the currency's locale, for pages and messages. */
export function formatMoney(minor: number, currencyCode: string): string {
  const { exponent, locale } = currencyOf(currencyCode);
  // Intl takes the decimal string, so no float is ever formed from the minor units.
  const decimal = toDecimalString(minor, currencyCode);
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: currencyCode,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  }).format(decimal as unknown as number);
}
