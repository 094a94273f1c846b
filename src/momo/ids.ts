// Reference ids are chosen by Sokoni, not by MoMo, so that an order can store the id before the
// request leaves and look the transaction up even when the answer is lost.
import { randomUUID } from 'node:crypto';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const ANY_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A fresh UUIDv4 for X-Reference-Id. */
export function newReferenceId(): string {
  return randomUUID();
}

/** MoMo answers 400 for any X-Reference-Id that is not a version-4 UUID. */
export function isUuidV4(value: unknown): value is string {
  return typeof value === 'string' && UUID_V4.test(value);
}

/** Party codes are UUIDs, but MoMo does not say which version. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && ANY_UUID.test(value);
}
