// Which database the store and workflow suites run on: SQLite by default, PostgreSQL in the
// `postgres` project (vitest.config.ts sets SOKONI_TEST_DB there). On PostgreSQL each store gets
// a fresh database of the run's throwaway cluster, copied from one migrated template (a copy is
// much cheaper than running every migration again), and dropped at close.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { applyPostgresMigrations, demoSeedOptions, ensureDemoCatalogue, openDatabase, PostgresSql, SqliteSql, type Dialect, type Sql } from '../../src/db';
import { tempDatabase } from './helpers';
import { postgres } from './postgres-helpers';

export const testDialect: Dialect = process.env.SOKONI_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
export const onPostgres = testDialect === 'postgres';

const TEMPLATE = 'sokoni_migrated_template';
/** Held while one test process makes the template, so the other waits and then finds it made. */
const TEMPLATE_LOCK = 0x74656d706c;

function clusterUrl(): string {
  if (postgres.url === null) throw new Error(`no PostgreSQL for the postgres project: ${postgres.skipped}`);
  return postgres.url;
}

function databaseUrl(name: string): string {
  const url = new URL(clusterUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: clusterUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Made under a lock, migrated under another name and renamed, so a half-made template is never copied. */
async function makeTemplate(client: pg.Client): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
  try {
    if ((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [TEMPLATE])).rowCount !== 0) return;
    const making = `${TEMPLATE}_${process.pid}`;
    await client.query(`CREATE DATABASE ${making}`);
    const sql = PostgresSql.connect(databaseUrl(making), { max: 1 });
    try {
      await applyPostgresMigrations(sql);
    } finally {
      await sql.end();
    }
    await client.query(`ALTER DATABASE ${making} RENAME TO ${TEMPLATE}`);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
  }
}

let template: Promise<void> | null = null;

export interface MigratedPostgres {
  url: string;
  /** Drops the database, ending whatever sessions are still on it. */
  drop(): Promise<void>;
}

/** A fresh database with every migration applied, on the run's throwaway cluster. */
export async function migratedPostgres(): Promise<MigratedPostgres> {
  template ??= admin(makeTemplate);
  await template;
  const name = `sokoni_store_${randomUUID().replaceAll('-', '')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`));
  return { url: databaseUrl(name), drop: () => admin((client) => client.query(`DROP DATABASE ${name} WITH (FORCE)`)).then(() => undefined) };
}

export interface TestSql {
  sql: Sql;
  /** The SQLite file, for tests about SQLite itself; undefined on PostgreSQL. */
  file?: string;
  /** The demo catalogue of the embedded sandbox (EUR, sellers' share 80%), as start-up seeds it. */
  seedDemo(): Promise<void>;
  /** Rows in a table, for "nothing was written" checks. */
  count(table: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * A migrated store on the suite's database: a temp SQLite file, or a fresh PostgreSQL database.
 * `connections` caps PostgreSQL's pool: with one, statements run in the order they were made, as
 * on SQLite's one connection.
 */
export async function testSql(options: { connections?: number } = {}): Promise<TestSql> {
  let sql: Sql;
  let close: () => Promise<void>;
  let file: string | undefined;
  if (onPostgres) {
    const database = await migratedPostgres();
    const pool = PostgresSql.connect(database.url, { max: options.connections ?? 4 });
    sql = pool;
    close = async () => {
      await pool.end();
      await database.drop();
    };
  } else {
    const t = tempDatabase();
    sql = new SqliteSql(t.db);
    file = t.file;
    close = () => {
      t.close();
      return Promise.resolve();
    };
  }
  const seedDemo = async () => {
    await ensureDemoCatalogue(sql, demoSeedOptions('sandbox', 8000)!);
  };
  return { sql, ...(file === undefined ? {} : { file }), seedDemo, count: (table) => countRows(sql, table), close };
}

export async function countRows(sql: Sql, table: string): Promise<number> {
  return (await sql.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))!.n;
}

export interface Connection {
  sql: Sql;
  close(): Promise<void>;
}

/** Another connection to the database Sokoni's settings name, as another process would open it. */
export function connectTo(config: { databaseUrl: string | null; databasePath: string }): Connection {
  if (config.databaseUrl !== null) {
    const sql = PostgresSql.connect(config.databaseUrl, { max: 2 });
    return { sql, close: () => sql.end() };
  }
  const db = openDatabase(config.databasePath);
  return {
    sql: new SqliteSql(db),
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}

export interface StoreDatabase {
  /** What Sokoni's settings say of it: DATABASE_PATH in `dir`, or DATABASE_URL of a fresh database. */
  env: Record<string, string>;
  /** Another connection to it, as another process would open it. */
  connect(): Connection;
  /** Drops the PostgreSQL database (the SQLite file goes with its folder). */
  drop(): Promise<void>;
}

/** The database for a Sokoni a test starts itself (in this process or as a child), on the suite's database. */
export async function storeDatabase(dir: string): Promise<StoreDatabase> {
  const path = join(dir, 'sokoni.db');
  if (!onPostgres) return { env: { DATABASE_PATH: path }, connect: () => connectTo({ databaseUrl: null, databasePath: path }), drop: () => Promise.resolve() };
  const database = await migratedPostgres();
  return {
    // DATABASE_PATH too, so a setting that is read wrongly shows as a SQLite file, never as the developer's database.
    env: { DATABASE_PATH: path, DATABASE_URL: database.url },
    connect: () => connectTo({ databaseUrl: database.url, databasePath: path }),
    drop: () => database.drop(),
  };
}
