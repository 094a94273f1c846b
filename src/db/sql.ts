// The store's one port (issue #17): every room's SQL runs through an `Sql`, whichever database is
// behind it. It is asynchronous because PostgreSQL is a network away; SQLite answers at once, and
// its executor (sqlite-sql.ts) only wraps the answer in a resolved promise.
//
// Statements are plain SQL shared by both dialects wherever they agree. Parameters are either
// positional (`?`, with an array) or named (`@name`, with an object); PostgreSQL's executor
// rewrites both to `$n` once per statement text.

export type Dialect = 'sqlite' | 'postgres';

export type Params = readonly unknown[] | Readonly<Record<string, unknown>>;

export interface RunResult {
  /** Rows the statement inserted, updated or deleted. */
  changes: number;
  /** SQLite's: the rowid of the connection's last inserted row. PostgreSQL answers an id through RETURNING (`insertId`). */
  lastInsertRowid?: number;
}

export interface Sql {
  readonly dialect: Dialect;
  /** True for a transaction's `tx`: its statements are part of a transaction that is open. */
  readonly inTransaction: boolean;
  all<T>(sql: string, params?: Params): Promise<T[]>;
  /** The first row, or undefined when there is none. */
  get<T>(sql: string, params?: Params): Promise<T | undefined>;
  run(sql: string, params?: Params): Promise<RunResult>;
  /**
   * Runs `fn` atomically: all of its statements land, or none. `fn` must run its statements on
   * `tx` (never on the `Sql` it was called on, which waits for this transaction to end) and must
   * not wait on anything else (a network call, a timer): a transaction is never held across I/O.
   * Called on a `tx`, it nests: `fn`'s statements become part of the outer transaction.
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Resolves once every write made so far is committed; rejects if that commit fails. */
  committed(): Promise<void>;
  /** Runs `fn` once every write made so far is committed (at once when none waits); never if that commit fails. */
  afterCommit(fn: () => void): void;
}

/**
 * Runs `fn` atomically: as part of the transaction `sql` belongs to, or else as a transaction of
 * its own. For a store's several statements that must land together, which are mostly run inside
 * a caller's transaction (a movement's step): there, a nested `transaction` would cost a
 * savepoint and its release (a round trip each on PostgreSQL) for nothing, since a failure fails
 * the caller's whole transaction anyway. Code that catches a failure inside a transaction and goes
 * on must use `tx.transaction` instead, which takes back only what failed.
 */
export function atomically<T>(sql: Sql, fn: (tx: Sql) => Promise<T>): Promise<T> {
  return sql.inTransaction ? fn(sql) : sql.transaction(fn);
}

/**
 * Runs an INSERT of one row into a table keyed by `id INTEGER PRIMARY KEY` and answers the new
 * id. SQLite says it without RETURNING, which it answers through a temporary table: the
 * movements' insert cost 8.6 µs with it and 6.1 without, alone, and more under load (issue #16).
 */
export async function insertId(sql: Sql, text: string, params: Params): Promise<number> {
  if (sql.dialect === 'postgres') return (await sql.get<{ id: number }>(`${text} RETURNING id`, params))!.id;
  const { lastInsertRowid } = await sql.run(text, params);
  if (lastInsertRowid === undefined) throw new Error('the executor did not say which row it inserted');
  return lastInsertRowid;
}

/** `rows` parenthesised rows of `columns` placeholders, for a multi-row INSERT's VALUES. */
export function valueRows(rows: number, columns: number): string {
  const row = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => row).join(', ');
}
