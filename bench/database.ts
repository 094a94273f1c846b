// The database a bench or chaos run stores into: a SQLite file in the run's folder (the default),
// or a fresh database on PostgreSQL (`--db postgres`), on the server DATABASE_URL names when the
// harness is given one, else on a throwaway cluster started the way the test suite starts its
// own (test/global/postgres-cluster.ts: initdb'd once, a Unix socket, gone when the run ends).
// Every Sokoni instance of the run gets the same DATABASE_PATH or DATABASE_URL.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, PostgresSql, SqliteSql, type Database, type Sql } from '../src/db';
import { findBinaries, INSTALL_HINT, serverPid, startCluster, sweepAbandoned } from '../test/global/postgres-cluster';

export type DbKind = 'sqlite' | 'postgres';

export interface RunDatabase {
  kind: DbKind;
  /** What every Sokoni instance of the run is started with: DATABASE_PATH or DATABASE_URL. */
  env: Record<string, string>;
  /** Where the data is, for the logs: the file, or the database's name and server without a password. */
  where: string;
  /** The harness's own connection (the invariants, the refund approver); open it once Sokoni has made the schema. */
  sql(): Sql;
  /** Closes the harness's connection; a PostgreSQL database is dropped unless `keep`. */
  close(options?: { keep?: boolean }): Promise<void>;
}

/** A PostgreSQL server on which each run makes its own database. */
export interface PostgresServer {
  /** A URL to the server's maintenance database, through which run databases are made and dropped. */
  url: string;
  /** Whether the server was started for this run (and goes with it). */
  throwaway: boolean;
  /** The server's postmaster when it runs on this machine for the run: its CPU is on the same cores. */
  pid: number | null;
  stop(): Promise<void>;
}

/** The URL with its password blanked, for logs. */
export function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/**
 * DATABASE_URL from the harness's own environment when set (the server must let that user
 * create databases), else a throwaway cluster; refused with how to install PostgreSQL when
 * neither is there.
 */
export async function startPostgresServer(env: NodeJS.ProcessEnv = process.env): Promise<PostgresServer> {
  const given = env.DATABASE_URL;
  if (given !== undefined && given !== '') {
    if (!/^postgres(ql)?:\/\//.test(given)) throw new Error('DATABASE_URL must be a postgres:// or postgresql:// URL for --db postgres');
    return { url: given, throwaway: false, pid: null, stop: () => Promise.resolve() };
  }
  const binaries = findBinaries();
  if (binaries === null) throw new Error(`--db postgres needs DATABASE_URL or PostgreSQL's initdb, pg_ctl and postgres on this machine: ${INSTALL_HINT}`);
  sweepAbandoned();
  const cluster = await startCluster(binaries);
  // However the harness ends (procs.ts turns SIGINT and SIGTERM into an exit), the cluster goes too.
  const onExit = () => cluster.stopNow();
  process.once('exit', onExit);
  return {
    url: cluster.url,
    throwaway: true,
    pid: serverPid(cluster.dataDir),
    async stop() {
      process.off('exit', onExit);
      await cluster.stop();
    },
  };
}

async function onServer(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A new, empty database on the server for one run; Sokoni's start-up migrates it. */
export async function postgresDatabase(server: PostgresServer, label: string): Promise<RunDatabase> {
  // Lower case letters, digits and underscores only: the name goes into the statement unquoted.
  const name = `sokoni_${label.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  await onServer(server.url, `CREATE DATABASE ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  let sql: PostgresSql | null = null;
  return {
    kind: 'postgres',
    env: { DATABASE_URL: url.toString() },
    where: `PostgreSQL database ${name} on ${withoutPassword(server.url)}`,
    sql: () => (sql ??= PostgresSql.connect(url.toString(), { max: 2 })),
    async close(options = {}) {
      await sql?.end();
      sql = null;
      if (!options.keep) await onServer(server.url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** The SQLite file in the run's folder, kept after the run as today. */
export function sqliteDatabase(dir: string): RunDatabase {
  const file = join(dir, 'sokoni.db');
  let db: Database | null = null;
  return {
    kind: 'sqlite',
    env: { DATABASE_PATH: file },
    where: file,
    sql: () => new SqliteSql((db ??= openDatabase(file))),
    close() {
      db?.close();
      db = null;
      return Promise.resolve();
    },
  };
}
