// Prepared statements cached per connection: queries run on every request, and preparing is
// the costly part of a small SQLite query. Two things about how a statement is prepared and
// read matter on the hot path (issue #16), and both are decided here, once per SQL text.
import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from './connection';

/** A cached statement, run with its parameters bound in one go. */
export interface Prepared {
  /** The SQL as prepared (see `preparable`). */
  readonly source: string;
  all(params: readonly unknown[]): unknown[];
  get(params: readonly unknown[]): unknown;
  run(params: readonly unknown[]): { changes: number; lastInsertRowid: number | bigint };
}

/**
 * A bare parameter as LIMIT (`LIMIT ?`, `LIMIT @limit`) makes SQLite (3.53) plan with its value,
 * so binding it marks the statement expired and every run prepares it again: the worker's pick
 * cost 72 µs a call at callbacks-peak instead of 5, and every paged list and export paid the
 * same. `LIMIT +?` is the same limit as an expression the planner does not look into.
 */
export function preparable(sql: string): string {
  // Quoted text and names are passed over whole, so a LIMIT inside them stays as written.
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\bLIMIT\s+(?=[?@:$])/gi, (match) => (match.startsWith("'") || match.startsWith('"') ? match : 'LIMIT +'));
}

/**
 * Makes a row object from a raw row: an object literal of the statement's columns, so every row
 * of a statement has one shape from the start. better-sqlite3's own row objects are built key by
 * key, with each column's name decoded and looked up again for every row; for the movements'
 * twenty-one columns that was a third of a read's cost. The names are the statement's own
 * column names (our SQL, never input), quoted by JSON.stringify; `__proto__` would set the
 * prototype in a literal, so it is refused.
 */
function rowMaker(columns: readonly string[]): (values: unknown[]) => unknown {
  if (columns.includes('__proto__')) throw new Error('a result column may not be named __proto__');
  const fields = columns.map((name, i) => `${JSON.stringify(name)}: v[${i}]`).join(', ');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('v', `return { ${fields} };`) as (values: unknown[]) => unknown;
}

function prepare(db: Database, sql: string): Prepared {
  const source = preparable(sql);
  const stmt: BetterSqlite3.Statement<unknown[]> = db.prepare(source);
  // A write keeps better-sqlite3's own answers, its refusal of all() and get() included.
  if (!stmt.reader) return { source, all: (params) => stmt.all(...params), get: (params) => stmt.get(...params), run: (params) => stmt.run(...params) };
  stmt.raw(true);
  const row = rowMaker(stmt.columns().map((column) => column.name));
  return {
    source,
    all: (params) => (stmt.all(...params) as unknown[][]).map(row),
    get: (params) => {
      const values = stmt.get(...params) as unknown[] | undefined;
      return values === undefined ? undefined : row(values);
    },
    run: (params) => stmt.run(...params),
  };
}

const caches = new WeakMap<Database, Map<string, Prepared>>();

export function statement(db: Database, sql: string): Prepared {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let prepared = cache.get(sql);
  if (!prepared) {
    prepared = prepare(db, sql);
    cache.set(sql, prepared);
  }
  return prepared;
}
