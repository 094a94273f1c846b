// The one place that says what a UUID looks like. Sokoni's references are version 4 (MoMo
// refuses any other X-Reference-Id), and so are its ids, but for orders' (version 7, below);
// ids that come from elsewhere (MoMo's party codes) may be of any version.
import { randomBytes } from 'node:crypto';

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
export const ANY_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuidV4(value: unknown): value is string {
  return typeof value === 'string' && UUID_V4.test(value);
}

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && ANY_UUID.test(value);
}

/**
 * A version 7 UUID (RFC 9562): the time in milliseconds, then 74 random bits. Orders are keyed by
 * it so that each new order's rows land beside the last ones in every index on an order id (the
 * orders', its movements', its history's), instead of on a random page: at callbacks-peak the
 * commits wrote fewer pages and Sokoni spent about 4% less CPU per order (issue #16). The time it
 * reveals is the order's creation, which its pages show anyway; the random bits keep it unguessable.
 */
export function timeOrderedUuid(ms: number): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * An id as people quote it: its last eight characters. The random end of either version: a
 * version 7 id's first eight are its creation time, the same for every order in the same minute.
 */
export function shortId(id: string): string {
  return id.slice(-8);
}
