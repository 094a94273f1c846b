// Applies migrations/NNN_name.sql in order, each once, each in its own transaction.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './connection';

// Relative to this file, so `npm run migrate` works from any working directory.
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

const FILE_NAME = /^(\d{3,})_[A-Za-z0-9_-]+\.sql$/;

export class MigrationError extends Error {
  override name = 'MigrationError';
  constructor(readonly file: string, cause: unknown) {
    super(`migration ${file} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export function pendingMigrations(db: Database, dir: string = MIGRATIONS_DIR): string[] {
  ensureTable(db);
  const done = new Set(db.prepare('SELECT name FROM schema_migrations').pluck().all() as string[]);
  return listMigrations(dir).filter((name) => !done.has(name));
}

/** Returns the names of the files applied now (empty when the database was up to date). */
export function applyMigrations(db: Database, dir: string = MIGRATIONS_DIR): string[] {
  const applied: string[] = [];
  const pending = pendingMigrations(db, dir);
  const record = db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)');
  for (const name of pending) {
    const sql = fs.readFileSync(path.join(dir, name), 'utf8');
    // SQLite's recipe for schema changes: foreign keys off (only possible outside a
    // transaction) so a referenced table can be rebuilt, then foreign_key_check before commit
    // so a migration still cannot leave a dangling reference.
    const foreignKeys = db.pragma('foreign_keys', { simple: true });
    db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(sql);
        const dangling = db.pragma('foreign_key_check') as { table: string; parent: string }[];
        if (dangling.length) {
          throw new Error(`${dangling.length} row(s) would reference missing rows (first: ${dangling[0]!.table} → ${dangling[0]!.parent})`);
        }
        record.run(name, Date.now());
      })();
    } catch (error) {
      throw new MigrationError(name, error);
    } finally {
      db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
    }
    applied.push(name);
  }
  return applied;
}

function ensureTable(db: Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
}

/** The NNN_name.sql files of `dir` in number order, refusing misnamed files and shared numbers (both dialects' runners). */
export function listMigrations(dir: string): string[] {
  const names = fs.readdirSync(dir).filter((name) => name.endsWith('.sql'));
  const bad = names.filter((name) => !FILE_NAME.test(name));
  if (bad.length) throw new Error(`migration files must be named NNN_name.sql: ${bad.join(', ')}`);
  const byNumber = new Map<string, string>();
  for (const name of names) {
    const number = FILE_NAME.exec(name)![1]!;
    const other = byNumber.get(number);
    if (other) throw new Error(`two migrations share number ${number}: ${other} and ${name}`);
    byNumber.set(number, name);
  }
  return names.sort((a, b) => Number(FILE_NAME.exec(a)![1]) - Number(FILE_NAME.exec(b)![1]));
}
