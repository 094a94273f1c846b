// A fresh PostgreSQL database per test on the run's throwaway cluster (test/global/postgres.ts),
// dropped afterwards, so tests never see each other's tables.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { PostgresSql } from '../../src/db/postgres-sql';
import '../global/postgres-context';

export const postgres = inject('postgres');

export interface FreshPostgres {
  sql: PostgresSql;
  url: string;
  name: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  if (postgres.url === null) throw new Error(`no PostgreSQL: ${postgres.skipped}`);
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function freshPostgres(): Promise<FreshPostgres> {
  const name = `sokoni_test_${randomUUID().replaceAll('-', '')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(postgres.url!);
  url.pathname = `/${name}`;
  const sql = PostgresSql.connect(url.toString(), { max: 4 });
  return {
    sql,
    url: url.toString(),
    name,
    drop: async () => {
      await sql.end();
      await admin((client) => client.query(`DROP DATABASE ${name} WITH (FORCE)`));
    },
  };
}

/** A fresh database whose drop joins `cleanups`, which the test's afterEach runs. */
export async function freshPostgresUntil(cleanups: (() => unknown)[]): Promise<FreshPostgres> {
  const db = await freshPostgres();
  cleanups.push(db.drop);
  return db;
}
