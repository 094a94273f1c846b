// A portal list's query as it came from outside (a form or a link): the period, the page's
// cursor and its size, each checked and refused by its field.
import { parsePeriod, type Period } from '../books';
import { DomainError } from '../domain-error';
import { ANY_UUID } from '../uuid';

export const PAGE_SIZE = 25;

export type Query = Readonly<Record<string, unknown>>;

const invalid = (field: string, message: string) => new DomainError('invalid', 'invalid_field', `${field} ${message}`, field);

/** A form's empty field means "not given". */
function given(query: Query, field: string): string | undefined {
  const value = query[field];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(field, 'must be given once, as text');
  return value.trim() === '' ? undefined : value.trim();
}

/**
 * [from, to) from dates in the shop's time zone. `to` is a day the seller includes, so the period
 * runs to the end of it (a form's "to 31 Dec" means the 31st too).
 */
export function periodOf(query: Query, zone: string, now: number, defaultFrom?: string): Period {
  const from = given(query, 'from') ?? defaultFrom;
  const to = given(query, 'to');
  const dayAfter = to === undefined ? undefined : nextDay(to);
  return parsePeriod({ from, to: dayAfter }, zone, now);
}

function nextDay(value: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) throw new DomainError('invalid', 'invalid_time', 'to must be a date such as 2026-12-31', 'to');
  const day = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (day.getUTCDate() !== Number(match[3])) throw new DomainError('invalid', 'invalid_time', 'to must be a date such as 2026-12-31', 'to');
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

/** The first day of the month `now` is in, in the zone: "2026-12-01". */
export function monthStart(now: number, zone: string): string {
  const [year, month] = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit' }).format(now).split('-');
  return `${year}-${month}-01`;
}

export interface Cursor {
  at: number;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.at}.${cursor.id}`, 'utf8').toString('base64url');
}

export function cursorOf(query: Query): Cursor | null {
  const value = given(query, 'cursor');
  if (value === undefined) return null;
  const match = /^(\d{1,15})\.([0-9a-fA-F-]{36})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!match || !ANY_UUID.test(match[2]!)) throw invalid('cursor', 'is not one this list gave');
  return { at: Number(match[1]), id: match[2]!.toLowerCase() };
}

/** A line's number as a cursor (the ledger's lines are keyed by entry id). */
export function lineCursorOf(query: Query): number | null {
  const value = given(query, 'before');
  if (value === undefined) return null;
  if (!/^\d{1,15}$/.test(value)) throw invalid('before', 'is not one this list gave');
  return Number(value);
}
