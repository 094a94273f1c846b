// One vocabulary for the store's errors, whichever database raised them: better-sqlite3 names
// them by SQLite's extended result code (`code: 'SQLITE_CONSTRAINT_UNIQUE'`), pg by PostgreSQL's
// SQLSTATE (`code: '23505'`, with the constraint's table and a `detail` naming its columns).
// Rooms ask these questions instead of matching either database's wording.

interface DatabaseErrorFields {
  code?: unknown;
  message?: unknown;
  table?: unknown;
  detail?: unknown;
}

function fields(error: unknown): DatabaseErrorFields {
  return typeof error === 'object' && error !== null ? error : {};
}

function code(error: unknown): string | undefined {
  const value = fields(error).code;
  return typeof value === 'string' ? value : undefined;
}

/** The UNIQUE constraint or unique index a violation is about: its table and its columns in order. */
export interface UniqueTarget {
  table: string;
  columns: readonly string[];
}

/** SQLite names the columns in its message: "UNIQUE constraint failed: orders.idempotency_key". */
function sqliteTargetMatches(error: unknown, target: UniqueTarget): boolean {
  const message = fields(error).message;
  if (typeof message !== 'string') return false;
  const named = /constraint failed: (.+)$/.exec(message)?.[1]?.split(', ');
  return named !== undefined && named.join(',') === target.columns.map((column) => `${target.table}.${column}`).join(',');
}

/** PostgreSQL names the table, and the columns in its detail: "Key (idempotency_key)=(k-1) already exists.". */
function postgresTargetMatches(error: unknown, target: UniqueTarget): boolean {
  const { table, detail } = fields(error);
  if (table !== target.table || typeof detail !== 'string') return false;
  const named = /^Key \(([^)]*)\)=/.exec(detail)?.[1]?.split(', ');
  return named !== undefined && named.join(',') === target.columns.join(',');
}

/**
 * A UNIQUE or PRIMARY KEY constraint (or unique index) refused a row: SQLite's
 * SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY, PostgreSQL's 23505. With `target`, only a violation of
 * that table's constraint on exactly those columns (e.g. an idempotency key, not the primary key).
 */
export function isUniqueViolation(error: unknown, target?: UniqueTarget): boolean {
  const found = code(error);
  if (found === 'SQLITE_CONSTRAINT_UNIQUE' || found === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return target === undefined || sqliteTargetMatches(error, target);
  }
  if (found === '23505') return target === undefined || postgresTargetMatches(error, target);
  return false;
}

/**
 * PostgreSQL gave up a transaction that ran alongside another (40001, serialization_failure, under
 * REPEATABLE READ or SERIALIZABLE): nothing of it was written, and running it again may succeed.
 * SQLite has one writer at a time, so it never raises this; its nearest is isBusy.
 */
export function isSerializationFailure(error: unknown): boolean {
  return code(error) === '40001';
}

/**
 * Another writer holds what this statement needs, and waiting for it ran out: SQLite's
 * SQLITE_BUSY (and its extended codes, e.g. SQLITE_BUSY_SNAPSHOT) after the busy timeout,
 * PostgreSQL's 55P03 (lock_not_available, after lock_timeout or NOWAIT). Nothing was written and
 * the same request works shortly.
 */
export function isBusy(error: unknown): boolean {
  const found = code(error);
  return found !== undefined && (found.startsWith('SQLITE_BUSY') || found === '55P03');
}

// The server cannot be reached (now), as opposed to one that answered "no": the socket refused,
// reset, broken (EPIPE on a pooled connection's next write), timed out or gone (a stopped local
// server removes its Unix socket file: ENOENT), the name not resolving, and PostgreSQL starting up
// or shutting down (57P01–57P03) or any class 08 connection exception.
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOENT', 'EAI_AGAIN', '57P01', '57P02', '57P03',
]);

/** PostgreSQL cannot be reached: at start-up Sokoni waits for it; while serving it is a 503. */
export function isUnreachable(error: unknown): boolean {
  const found = code(error);
  if (found !== undefined) return UNREACHABLE_CODES.has(found) || found.startsWith('08');
  // pg's own "Connection terminated" and its connection timeout carry no code.
  const message = fields(error).message;
  return typeof message === 'string' && /timeout|terminated|ECONNREFUSED/i.test(message);
}
