// A fresh PostgreSQL database per test on the run's throwaway cluster (test/global/postgres.ts),
// dropped afterwards, so tests never see each other's tables.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { inject } from 'vitest';
import { PostgresSql } from '../../src/db/postgres-sql';
import type { PostgresContext } from '../global/postgres-context';

/**
 * The run's PostgreSQL. A script outside vitest that reuses the test helpers (the README's
 * screenshot scripts) has none: vitest's inject() throws there, so it runs on SQLite alone.
 */
export const postgres: PostgresContext = process.env.VITEST ? inject('postgres') : { url: null, skipped: 'not under vitest: SQLite only' };

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

/** A pass-through to a PostgreSQL socket that a test can cut, as a database that went away looks. */
export interface SocketDoor {
  /** Where it listens: a TCP port on 127.0.0.1, or the Unix socket path it was given. */
  port: number | null;
  /** Cuts every open connection, and refuses new ones until `open()`. */
  shut(): void;
  open(): void;
  /** Stops listening (a Unix socket's file goes with it). */
  close(): Promise<void>;
}

/** Listens on `at` (a Unix socket path, or 0 for a free TCP port) and passes through to `upstream`, a Unix socket. */
export async function socketDoor(upstream: string, at: string | 0): Promise<SocketDoor> {
  let shut = false;
  const live = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (shut) return void client.destroy();
    const toServer = net.connect(upstream);
    for (const [a, b] of [[client, toServer], [toServer, client]] as const) {
      live.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        live.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (at === 0) server.listen(0, '127.0.0.1', resolve);
    else server.listen(at, resolve);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : null,
    shut() {
      shut = true;
      for (const socket of live) socket.destroy();
    },
    open: () => void (shut = false),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
