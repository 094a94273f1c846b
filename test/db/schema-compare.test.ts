// The SQLite migrations and their PostgreSQL twins must build the same schema: the same tables
// and columns, keys, unique constraints and indexes, other indexes, foreign keys and triggers
// (test/db/schema.ts lists what is compared and how each dialect's spelling is normalised).
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPostgresMigrations, MIGRATIONS_DIR, POSTGRES_MIGRATIONS_DIR } from '../../src/db';
import { tempDatabase } from './helpers';
import { freshPostgres, postgres } from './postgres-helpers';
import { compareSchemas, describeDifference, postgresSchema, sqliteSchema } from './schema';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function migratedSqlite() {
  const t = tempDatabase();
  cleanups.push(t.close);
  return t;
}

const sqlFiles = (dir: string) => fs.readdirSync(dir).filter((name) => name.endsWith('.sql')).sort();

describe('the schema comparison', () => {
  it('finds a column one side lacks, and names it', () => {
    const whole = sqliteSchema(migratedSqlite().db);
    const doctored = migratedSqlite().db;
    doctored.exec('ALTER TABLE sellers DROP COLUMN number_confirmed_by');
    const difference = compareSchemas(whole, sqliteSchema(doctored));
    expect(difference).toEqual({ onlyLeft: ['column sellers.number_confirmed_by: text, default none'], onlyRight: [] });
    expect(describeDifference(difference, 'SQLite', 'PostgreSQL')).toBe(
      '--- only in SQLite\n+++ only in PostgreSQL\n- column sellers.number_confirmed_by: text, default none',
    );
  });

  it('finds a changed column, index, unique constraint and trigger', () => {
    const whole = sqliteSchema(migratedSqlite().db);
    const doctored = migratedSqlite().db;
    doctored.exec(`
      DROP INDEX refunds_expiring;
      CREATE INDEX refunds_expiring ON refunds(expires_at);
      DROP TRIGGER audit_log_no_delete;
      DROP INDEX sellers_msisdn_active;
      CREATE UNIQUE INDEX sellers_msisdn_active ON sellers(msisdn);
      ALTER TABLE seller_invites DROP COLUMN used_at;
      ALTER TABLE seller_invites ADD COLUMN used_at TEXT NOT NULL DEFAULT 'never';
    `);
    const difference = compareSchemas(whole, sqliteSchema(doctored));
    expect(difference.onlyLeft).toEqual([
      'column seller_invites.used_at: integer, default none',
      'index refunds_expiring on refunds (expires_at) partial',
      'trigger audit_log_no_delete on audit_log',
      'unique index sellers_msisdn_active on sellers (msisdn) partial',
    ]);
    expect(difference.onlyRight).toEqual([
      "column seller_invites.used_at: text not null, default 'never'",
      'index refunds_expiring on refunds (expires_at)',
      'unique index sellers_msisdn_active on sellers (msisdn)',
    ]);
  });
});

describe.skipIf(postgres.url === null)('the PostgreSQL migrations', () => {
  it('are the SQLite migrations’ twins: the same files, building the same schema', async () => {
    expect(sqlFiles(POSTGRES_MIGRATIONS_DIR)).toEqual(sqlFiles(MIGRATIONS_DIR));
    const fresh = await freshPostgres();
    cleanups.push(fresh.drop);
    expect(await applyPostgresMigrations(fresh.sql)).toEqual(sqlFiles(MIGRATIONS_DIR));
    const sqlite = sqliteSchema(migratedSqlite().db);
    const pg = await postgresSchema(fresh.sql);
    // A sanity floor: the comparison saw the whole schema, not two empty lists.
    expect([...pg].filter((fact) => fact.startsWith('table '))).toHaveLength([...sqlite].filter((fact) => fact.startsWith('table ')).length);
    expect(describeDifference(compareSchemas(sqlite, pg), 'SQLite', 'PostgreSQL')).toBe('');
  });
});
