// Reference ids are chosen by Sokoni, not by MoMo, so that an order can store the id before the
// request leaves and look the transaction up even when the answer is lost.
import { randomUUID } from 'node:crypto';
import { isUuid as anyUuid, isUuidV4 as uuidV4 } from '../uuid';

/** A fresh UUIDv4 for X-Reference-Id. */
export function newReferenceId(): string {
  return randomUUID();
}

/** MoMo answers 400 for any X-Reference-Id that is not a version-4 UUID. */
export function isUuidV4(value: unknown): value is string {
  return uuidV4(value);
}

/** Party codes are UUIDs, but MoMo does not say which version. */
export function isUuid(value: unknown): value is string {
  return anyUuid(value);
}
