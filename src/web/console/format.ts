// How the console writes times, money, phones and events: one set of helpers for every page.
import { formatMoney } from '../../money';
import { shortId } from '../../uuid';
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

const ORDER_WORDS = new Map<string, string>([
  ['pending', 'Waiting for payment'],
  ['paid', 'Paid, paying seller'],
  ['settled', 'Settled'],
  ['failed', 'Payment failed'],
  ['payout_failed', 'Payout failed'],
]);

// A movement's states are MoMo's side of things, so the same word means something else here.
const MOVEMENT_WORDS = new Map<string, string>([
  ['sending', 'Sending'],
  ['pending', 'Pending at MoMo'],
  ['successful', 'Successful'],
  ['failed', 'Failed'],
  ['retry_wait', 'Waiting to retry'],
  ['waiting_funds', 'Waiting for funds'],
  ['abandoned', 'Given up: MoMo not reached'],
]);

/** An order's status in words. */
export function statusWord(status: string | null): string {
  return status === null ? '—' : ORDER_WORDS.get(status) ?? status;
}

/** A collection's, payout's or attempt's status in words. */
export function movementWord(status: string | null): string {
  return status === null ? '—' : MOVEMENT_WORDS.get(status) ?? status;
}

/** An order_events row's state, read by the entity it belongs to. */
export function eventWord(entity: string, status: string): string {
  return entity === 'order' ? statusWord(status) : movementWord(status);
}

export const helpers = { time, money, phone, statusWord, movementWord, eventWord, shortId };
