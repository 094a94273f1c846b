// The chaos run's and the bench's PostgreSQL (bench/database.ts) on the suite's throwaway cluster:
// a fresh database per run that goes afterwards, and the money invariants' statements running
// on PostgreSQL (they were SQLite-only: an output alias in HAVING, group_concat, pluck).
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { postgresDatabase, startPostgresServer, withoutPassword, type PostgresServer, type RunDatabase } from '../../bench/database';
import { treeCpuSeconds } from '../../bench/proc-stats';
import { checkBooks, checkInvariants, isQuiet, type SandboxRecord } from '../../bench/invariants';
import { applyPostgresMigrations, PostgresSql } from '../../src/db';
import { DEFAULT_SETTINGS } from '../../src/sandbox';
import { postgres } from '../db/postgres-helpers';

if (postgres.url === null) console.warn(`PostgreSQL tests skipped: ${postgres.skipped}`);

const EMPTY_SANDBOX: SandboxRecord = { transactions: [], balances: { accounts: {}, customers: {} }, settings: DEFAULT_SETTINGS };

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgres.url! });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('where a run keeps its data', () => {
  it('uses DATABASE_URL as the server when given, refusing one that is not PostgreSQL', async () => {
    await expect(startPostgresServer({ DATABASE_URL: 'mysql://shop@db/shop' })).rejects.toThrow(/DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/);
    const server = await startPostgresServer({ DATABASE_URL: 'postgres://sokoni:hunter2@db.example:5432/postgres' });
    expect(server).toMatchObject({ url: 'postgres://sokoni:hunter2@db.example:5432/postgres', throwaway: false, pid: null });
    expect(withoutPassword(server.url)).toBe('postgres://sokoni:***@db.example:5432/postgres');
  });
});

describe.skipIf(postgres.url === null)('a run database on PostgreSQL', () => {
  it('without DATABASE_URL, is on a throwaway cluster of its own that stops with the run', async () => {
    const server = await startPostgresServer({});
    expect(server.throwaway).toBe(true);
    // Its postmaster, whose CPU the bench reports: its backends' work is counted in it. (Just
    // started, it may not have spent a whole clock tick yet, so the count is compared around work.)
    expect(server.pid).toEqual(expect.any(Number));
    expect(server.url).not.toBe(postgres.url);
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const before = treeCpuSeconds(server.pid!);
    await client.query('SELECT count(*) FROM generate_series(1, 3000000)');
    expect(treeCpuSeconds(server.pid!)).toBeGreaterThan(before);
    const dataDir = (await client.query<{ d: string }>("SELECT current_setting('data_directory') AS d")).rows[0]!.d;
    await client.end();
    await server.stop();
    const again = new pg.Client({ connectionString: server.url });
    await expect(again.connect()).rejects.toThrow();
    expect(existsSync(dataDir)).toBe(false);
  });

  let database: RunDatabase | null = null;
  afterEach(async () => {
    await database?.close();
    database = null;
  });

  it('is a fresh database for Sokoni, checked by the invariants, and dropped afterwards', async () => {
    const server: PostgresServer = { url: postgres.url!, throwaway: false, pid: null, stop: () => Promise.resolve() };
    database = await postgresDatabase(server, 'Chaos run');
    const url = database.env.DATABASE_URL!;
    const name = new URL(url).pathname.slice(1);
    expect(name).toMatch(/^sokoni_chaos_run_[0-9a-f]{8}$/);
    expect(await databaseExists(name)).toBe(true);

    // What Sokoni's start-up does on the instances' side.
    const migrator = PostgresSql.connect(url, { max: 1 });
    await applyPostgresMigrations(migrator);
    await migrator.end();

    const sql = database.sql();
    expect(await isQuiet(sql)).toBe(true);
    expect((await checkInvariants(sql, EMPTY_SANDBOX)).violations).toEqual([]);
    expect((await checkBooks(sql, EMPTY_SANDBOX)).violations).toEqual([]);
    // A journal of one line cannot balance: the books' check names it.
    const journal = await sql.get<{ id: number }>("INSERT INTO journals (kind, currency, note, posted_by, at) VALUES ('operator', 'EUR', 'one-legged', 'test', 1) RETURNING id");
    await sql.run("INSERT INTO entries (journal_id, account, currency, amount_minor, at) VALUES (?, 'collection', 'EUR', 100, 1)", [journal!.id]);
    expect((await checkBooks(sql, EMPTY_SANDBOX)).violations).toContain(`journal ${journal!.id}: 1 entries summing to 100`);

    await database.close();
    database = null;
    expect(await databaseExists(name)).toBe(false);
  });
});
