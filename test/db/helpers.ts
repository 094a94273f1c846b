// Real SQLite files in a fresh temp folder per test, removed afterwards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyMigrations, MIGRATIONS_DIR, openDatabase, type Database } from '../../src/db';

export interface TempDatabase {
  dir: string;
  file: string;
  db: Database;
  /** Rows in a table, for "nothing was written" checks. */
  count(table: string): number;
  close(): void;
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sokoni-test-'));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function tempDatabase(options: { migrate?: boolean } = {}): TempDatabase {
  const { dir, remove } = tempDir();
  const file = path.join(dir, 'data', 'sokoni.db');
  const db = openDatabase(file);
  if (options.migrate !== false) applyMigrations(db);
  return {
    dir,
    file,
    db,
    count: (table) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number,
    close: () => {
      if (db.open) db.close();
      remove();
    },
  };
}

/**
 * Applies the repository's migrations up to and including `last` (a file name, e.g.
 * '005_accounts.sql'), for tests of a later migration on a database an older schema wrote.
 */
export function applyMigrationsUpTo(db: Database, last: string): string[] {
  const temp = tempDir();
  try {
    for (const name of fs.readdirSync(MIGRATIONS_DIR).filter((n) => n.endsWith('.sql') && n <= last)) {
      fs.copyFileSync(path.join(MIGRATIONS_DIR, name), path.join(temp.dir, name));
    }
    return applyMigrations(db, temp.dir);
  } finally {
    temp.remove();
  }
}
