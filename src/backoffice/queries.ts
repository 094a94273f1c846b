// The order list's query, parsed from what a person or a script typed: every field checked,
// a refusal names it. The cursor is opaque to clients: the last row's time and id.
import { DomainError } from '../domain-error';
import type { OrderListFilter, OrderStatus } from '../db';
import { ANY_UUID } from '../uuid';

export const ORDER_STATUSES: readonly OrderStatus[] = ['pending', 'paid', 'settled', 'failed', 'payout_failed'];
export const PAGE_SIZE = 50;
const DAY_MS = 86_400_000;

const invalid = (field: string, message: string) => new DomainError('invalid', 'invalid_field', `${field} ${message}`, field);

function text(input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(field, 'must be given once, as text');
  return value.trim() === '' ? undefined : value.trim();
}

function uuidField(input: Record<string, unknown>, field: string): string | undefined {
  const value = text(input, field);
  if (value !== undefined && !ANY_UUID.test(value)) throw invalid(field, 'must be an id');
  return value?.toLowerCase();
}

/** YYYY-MM-DD, as a UTC day: `from` is its start, `to` includes the whole day. */
function day(input: Record<string, unknown>, field: string): number | undefined {
  const value = text(input, field);
  if (value === undefined) return undefined;
  const at = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(at)) throw invalid(field, 'must be a date such as 2026-01-31');
  return at;
}

export function encodeCursor(row: { createdAt: number; id: string }): string {
  return Buffer.from(`${row.createdAt}.${row.id}`, 'utf8').toString('base64url');
}

function decodeCursor(value: string): { createdAt: number; id: string } {
  const match = /^(\d{1,15})\.([0-9a-f-]{36})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!match || !ANY_UUID.test(match[2]!)) throw invalid('cursor', 'is not one this list gave');
  return { createdAt: Number(match[1]), id: match[2]! };
}

/** `input` is a query string object (Express's), or anything else a caller sends. */
export function parseOrderQuery(input: Record<string, unknown>): OrderListFilter {
  const filter: OrderListFilter = { limit: PAGE_SIZE };
  const status = text(input, 'status');
  if (status !== undefined) {
    if (!ORDER_STATUSES.includes(status as OrderStatus)) throw invalid('status', `must be one of ${ORDER_STATUSES.join(', ')}`);
    filter.status = status as OrderStatus;
  }
  const seller = uuidField(input, 'seller');
  if (seller) filter.sellerId = seller;
  const product = uuidField(input, 'product');
  if (product) filter.productId = product;
  const from = day(input, 'from');
  if (from !== undefined) filter.from = from;
  const to = day(input, 'to');
  if (to !== undefined) filter.to = to + DAY_MS;
  if (from !== undefined && to !== undefined && to < from) throw invalid('to', 'must not be before from');
  const q = text(input, 'q');
  if (q !== undefined) {
    if (q.length > 100) throw invalid('q', 'must be at most 100 characters');
    const digits = q.replace(/[\s+()-]/g, '');
    // Digits alone may be the end of a phone number or a financial transaction id; anything
    // else is an order id or a reference, matched exactly.
    if (/^\d{4,15}$/.test(digits)) {
      filter.phoneSuffix = digits;
      filter.exact = digits;
    } else filter.exact = ANY_UUID.test(q) ? q.toLowerCase() : q;
  }
  const cursor = text(input, 'cursor');
  if (cursor !== undefined) filter.after = decodeCursor(cursor);
  const limit = text(input, 'limit');
  if (limit !== undefined) {
    if (!/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > 100) throw invalid('limit', 'must be a whole number from 1 to 100');
    filter.limit = Number(limit);
  }
  return filter;
}
