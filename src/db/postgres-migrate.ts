// Applies migrations/postgres/NNN_name.sql in order, each once, each in its own transaction: the
// PostgreSQL twin of migrate.ts. The files carry the same names as SQLite's, so schema_migrations
// reads the same on both.
//
// Several instances may start at once against one database: each migration's transaction first
// takes a transaction-level advisory lock, then reads what is already applied, so a second
// instance waits for the first one's migration to commit and then finds it done.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listMigrations, MigrationError } from './migrate';
import type { PostgresSql, PostgresTransaction } from './postgres-sql';

export const POSTGRES_MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/postgres', import.meta.url));

/** Sokoni's advisory lock key for migrations: any constant that no other lock in the database uses ("sokoni" in ASCII). */
const MIGRATION_LOCK = 0x736f6b6f6e69;

async function applied(tx: PostgresTransaction): Promise<Set<string>> {
  await tx.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)');
  return new Set((await tx.all<{ name: string }>('SELECT name FROM schema_migrations')).map((row) => row.name));
}

/** The files not applied yet (every one on an empty database), for a command that must not run on a schema behind the code. */
export async function pendingPostgresMigrations(sql: PostgresSql, dir: string = POSTGRES_MIGRATIONS_DIR): Promise<string[]> {
  const table = await sql.get<{ found: string | null }>(`SELECT to_regclass('schema_migrations')::text AS found`);
  const done = table?.found ? new Set((await sql.all<{ name: string }>('SELECT name FROM schema_migrations')).map((row) => row.name)) : new Set<string>();
  return listMigrations(dir).filter((name) => !done.has(name));
}

/** Returns the names of the files applied now (empty when the database was up to date). */
export async function applyPostgresMigrations(sql: PostgresSql, dir: string = POSTGRES_MIGRATIONS_DIR): Promise<string[]> {
  const names = listMigrations(dir);
  const done: string[] = [];
  for (const name of names) {
    const script = fs.readFileSync(path.join(dir, name), 'utf8');
    const ran = await sql
      .transaction(async (tx) => {
        await tx.get('SELECT pg_advisory_xact_lock(?) AS locked', [MIGRATION_LOCK]);
        if ((await applied(tx)).has(name)) return false;
        await tx.exec(script);
        await tx.run('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)', [name, Date.now()]);
        return true;
      })
      .catch((error: unknown) => {
        throw new MigrationError(name, error);
      });
    if (ran) done.push(name);
  }
  return done;
}
