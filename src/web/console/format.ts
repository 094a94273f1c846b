// How the console writes times, money, phones and events: one set of helpers for every page.
import { formatMoney } from '../../money';
import { maskMsisdn } from '../fields';

/** "2026-01-31 14:05:09 UTC": operators across time zones read the same time. */
export function time(at: number | null): string {
  if (at === null) return '—';
  return `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function money(minor: number, currency: string): string {
  return formatMoney(minor, currency);
}

export const phone = maskMsisdn;

const STATUS_WORDS = new Map<string, string>([
  ['pending', 'Waiting for payment'],
  ['paid', 'Paid, paying seller'],
  ['settled', 'Settled'],
  ['failed', 'Payment failed'],
  ['payout_failed', 'Payout failed'],
  ['sending', 'Sending'],
  ['successful', 'Successful'],
  ['retry_wait', 'Waiting to retry'],
]);

export function statusWord(status: string | null): string {
  return status === null ? '—' : STATUS_WORDS.get(status) ?? status;
}

export const helpers = { time, money, phone, statusWord };
