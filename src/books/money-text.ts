// Signed amounts as decimal strings ("-12.50"), for reports and exports.
import { toDecimalString } from '../money';

export function signedDecimal(minor: number, currency: string): string {
  return minor < 0 ? `-${toDecimalString(-minor, currency)}` : toDecimalString(minor, currency);
}

export function amountJson(minor: number, currency: string): { amountMinor: number; amount: string; currency: string } {
  return { amountMinor: minor, amount: signedDecimal(minor, currency), currency };
}
