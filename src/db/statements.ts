// Prepared statements cached per connection: queries run on every request, and preparing is
// the costly part of a small SQLite query.
import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from './connection';

const caches = new WeakMap<Database, Map<string, BetterSqlite3.Statement>>();

export function statement(db: Database, sql: string): BetterSqlite3.Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let prepared = cache.get(sql);
  if (!prepared) {
    prepared = db.prepare(sql);
    cache.set(sql, prepared);
  }
  // A cached statement is shared, so a caller's .pluck() or .raw() must not carry over to the
  // next caller of the same SQL: every caller starts from plain row objects.
  if (prepared.reader) prepared.raw(false).pluck(false).expand(false);
  return prepared;
}
