// A database that goes away, for the console's "the database is gone" tests on either dialect.
// SQLite's is its connection closed. PostgreSQL's is a stopped local server: it cuts every
// connection, and its Unix socket goes with it, so a client that connects by socket (DATABASE_URL's
// `host=/var/run/postgresql`) finds no file there (ENOENT). The door is such a socket, in a temp
// folder, that passes through to the run's throwaway cluster until it is shut.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresSql, SqliteSql, type Sql } from '../../src/db';
import { tempDatabase } from '../db/helpers';
import { socketDoor } from '../db/postgres-helpers';
import { migratedPostgres, onPostgres } from '../db/test-database';

export interface DatabaseDoor {
  /** The database's URL, reached through the door. */
  url: string;
  /** Cuts every open connection and removes the socket, as PostgreSQL's stop does. */
  shut(): Promise<void>;
  /** Shuts the door, removes its folder and drops the database. */
  close(): Promise<void>;
}

/** A fresh migrated PostgreSQL database of the run's cluster, reached by a socket that can be shut. */
export async function postgresBehindDoor(): Promise<DatabaseDoor> {
  const database = await migratedPostgres();
  const target = new URL(database.url);
  const port = target.port || '5432';
  const upstream = join(target.searchParams.get('host')!, `.s.PGSQL.${port}`);
  const dir = mkdtempSync(join(tmpdir(), 'sokoni-door-'));
  const door = await socketDoor(upstream, join(dir, `.s.PGSQL.${port}`));
  let open = true;
  const shut = async () => {
    if (!open) return;
    open = false;
    door.shut();
    await door.close();
  };
  const url = new URL(database.url);
  url.searchParams.set('host', dir);
  return {
    url: url.toString(),
    shut,
    async close() {
      await shut();
      rmSync(dir, { recursive: true, force: true });
      await database.drop();
    },
  };
}

export interface GoneDatabase {
  sql: Sql;
  /** The database stops answering: SQLite's connection closes, PostgreSQL's door shuts. */
  goAway(): Promise<void>;
  close(): Promise<void>;
}

/** A migrated store on the suite's database, for a test that then takes it away. */
export async function databaseThatGoes(): Promise<GoneDatabase> {
  if (!onPostgres) {
    const t = tempDatabase();
    return {
      sql: new SqliteSql(t.db),
      goAway: () => {
        t.db.close();
        return Promise.resolve();
      },
      close: () => {
        t.close();
        return Promise.resolve();
      },
    };
  }
  const door = await postgresBehindDoor();
  // One connection: statements run in the order they were made, as on SQLite's one connection.
  const sql = PostgresSql.connect(door.url, { max: 1 });
  return {
    sql,
    goAway: () => door.shut(),
    async close() {
      await sql.end();
      await door.close();
    },
  };
}
