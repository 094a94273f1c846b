// One place that opens the database, so every process gets the same pragmas.
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

export type Database = BetterSqlite3.Database;

export function openDatabase(file: string): Database {
  const inMemory = file === ':memory:';
  if (!inMemory) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new BetterSqlite3(file);
  // WAL lets the web requests read while the worker writes; NORMAL is durable enough under WAL
  // (a power cut may lose the last commits, never corrupt the file).
  if (!inMemory) db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  // Two writers in one process never block each other (better-sqlite3 is synchronous), but
  // `npm run seed` or `migrate` beside a running server can; wait rather than fail.
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  return db;
}
