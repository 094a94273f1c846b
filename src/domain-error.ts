// One error shape for every room's refusals. A domain error says what kind of refusal it is;
// only the web layer (web/errors.ts) turns a kind into an HTTP status, so services stay free of
// HTTP and a CLI or a worker can read the same errors.
import { isBusy } from './db/errors';

export type DomainErrorKind =
  /** The input is wrong on its own terms (a malformed field, an unknown field). */
  | 'invalid'
  /** Nothing with this id (or nothing this caller may see). */
  | 'not_found'
  /** It clashes with what exists: a reused idempotency key, a duplicate, a state that forbids it. */
  | 'conflict'
  /** Well-formed but refused by a rule: an inactive product, an amount outside the limits. */
  | 'refused'
  /** This person may not do this, whatever their role: approving a refund they asked for themselves. */
  | 'forbidden'
  /** The database is held by another writer for now: try again shortly; nothing was written. */
  | 'busy'
  /** A provider (MoMo) did not answer. */
  | 'unavailable';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * Whether an error means "the database is held by another writer" (SQLite's SQLITE_BUSY after
 * the short busy timeout, PostgreSQL's lock_not_available: db/errors.ts): nothing was written,
 * and the same request works shortly. It is the one infrastructure error with a domain meaning,
 * `busy`, so every room can tell it without knowing the database.
 */
export function isBusyError(error: unknown): boolean {
  if (error instanceof DomainError) return error.kind === 'busy';
  return isBusy(error);
}
