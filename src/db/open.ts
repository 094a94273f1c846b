// The one door to the store at start-up (issue #17): SQLite at DATABASE_PATH, or PostgreSQL at
// DATABASE_URL. Either way the server gets an `Sql` and the few things that differ by database
// (readiness, committing before an answer, what runs beside serving) through a `Store`; what is
// SQLite's alone (busy timeouts, the checkpointer, group commit) stays behind this door.
import { isUnreachable } from './errors';
import { applyMigrations, pendingMigrations } from './migrate';
import { startCheckpointer, type Checkpointer } from './checkpointer';
import { assertWritable, databaseStartupError, openDatabase, probeWritable, setBusyTimeout, SERVING_BUSY_TIMEOUT_MS, type Database } from './connection';
import { applyPostgresMigrations, pendingPostgresMigrations } from './postgres-migrate';
import { PostgresSql } from './postgres-sql';
import { ensureDemoCatalogue, type SeedOptions } from './seed';
import { SqliteSql } from './sqlite-sql';
import type { Sql } from './sql';
import { StartupError } from '../startup-error';

/** One line for /readyz; never a secret. */
export interface StoreCheck {
  ok: boolean;
  detail: string;
}

export interface Store {
  readonly sql: Sql & { groupCommits?(on: boolean): void };
  /** SQLite's connection (tests look behind the port with it); null on PostgreSQL. */
  readonly sqlite: Database | null;
  /** For /readyz: state already known, never a wait. */
  readiness(): StoreCheck;
  /** Commits the writes so far before an answer leaves (SQLite's group commit); on PostgreSQL each write has already committed. */
  commitNow(): void;
  /** Starts what runs beside a serving store: SQLite's WAL checkpoints (checkpointer.ts); nothing on PostgreSQL. */
  serve(): void;
  close(): Promise<void>;
}

export interface StoreWarnings {
  warn(event: string, fields: Record<string, unknown>): void;
}

/** "PostgreSQL postgres://sokoni@db:5432/shop" or "SQLite /var/lib/sokoni.db": for the start-up lines, without the password. */
export function describeDatabase(config: { databaseUrl: string | null; databasePath: string }): string {
  if (config.databaseUrl === null) return `SQLite ${config.databasePath}`;
  return `PostgreSQL ${withoutPassword(config.databaseUrl)} (DATABASE_PATH is not used)`;
}

export function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '';
  // A password may also ride in the query (?password=…).
  parsed.searchParams.delete('password');
  return parsed.toString();
}

/** The configured database as a command holds it: no group commit, no checkpointer, no readiness. */
export interface CommandStore {
  sql: Sql;
  close(): Promise<void>;
}

/**
 * For a command: the configured database (DATABASE_URL, else DATABASE_PATH) and the migrations it
 * has not had. `migrate`: apply them first (`seed`, `users:create`); without it they are only
 * listed, for a command that must not change the schema (`reconcile` refuses a database behind).
 */
export async function openForCommand(
  config: { databaseUrl: string | null; databasePath: string },
  options: { migrate: boolean },
): Promise<CommandStore & { pending: string[] }> {
  if (config.databaseUrl !== null) {
    const sql = PostgresSql.connect(config.databaseUrl, { max: 2 });
    try {
      if (options.migrate) await applyPostgresMigrations(sql);
      return { sql, pending: await pendingPostgresMigrations(sql), close: () => sql.end() };
    } catch (error) {
      await sql.end();
      throw error;
    }
  }
  const db = openDatabase(config.databasePath);
  try {
    if (options.migrate) applyMigrations(db);
    return {
      sql: new SqliteSql(db),
      pending: pendingMigrations(db),
      close() {
        db.close();
        return Promise.resolve();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}

/** For a command that writes (`npm run users:create`, `seed`): the configured database, migrated. */
export function openMigrated(config: { databaseUrl: string | null; databasePath: string }): Promise<CommandStore> {
  return openForCommand(config, { migrate: true });
}

/**
 * Opens, migrates and seeds SQLite, asserts it can write, then stops writes waiting for other
 * processes' locks (connection.ts) and checkpoints off the serving thread. A problem with the
 * file names DATABASE_PATH.
 */
export function openSqliteStore(file: string, seed: SeedOptions | null, log: StoreWarnings): Promise<Store> {
  const db = openDatabase(file);
  try {
    applyMigrations(db);
    assertWritable(db);
  } catch (error) {
    db.close();
    throw databaseStartupError(file, error) ?? error;
  }
  const sql = new SqliteSql(db);
  const seeded = seed ? ensureDemoCatalogue(sql, seed) : Promise.resolve(false);
  return seeded.then(
    () => {
      // From here on a write never holds the event loop for long (see connection.ts).
      setBusyTimeout(db, SERVING_BUSY_TIMEOUT_MS);
      let checkpointer: Checkpointer | null = null;
      return {
        sql,
        sqlite: db,
        readiness: () => probeWritable(db),
        commitNow: () => sql.commitNow(),
        serve() {
          // WAL checkpoints off the serving thread, every half second.
          checkpointer ??= startCheckpointer(db, file, 500, (message) => log.warn('db.checkpoint', { message }));
        },
        async close() {
          await checkpointer?.stop();
          db.close();
        },
      };
    },
    (error: unknown) => {
      db.close();
      throw databaseStartupError(file, error) ?? error;
    },
  );
}

export interface PostgresStoreOptions {
  seed: SeedOptions | null;
  log: StoreWarnings;
  /** How often the readiness probe asks, and how long an answer may take before the database counts as not answering. */
  probeEveryMs?: number;
  probeTimeoutMs?: number;
  /** Told why the database cannot be reached yet, while start-up waits for it. */
  waiting?: (detail: string) => void;
}

/** How long a statement waits for a pooled connection before it fails (and the request with it) rather than hang. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Connects, migrates and seeds PostgreSQL. A database that does not answer yet (not started, a
 * network away) is waited for, trying again every second and telling `waiting` why; one that
 * answers and refuses (wrong password, no such database) stops start-up with a StartupError
 * naming DATABASE_URL. Once open, a probe asks every `probeEveryMs` whether a statement answers,
 * so /readyz reads the last answer instead of waiting on the network.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions): Promise<Store> {
  const { log } = options;
  const sql = PostgresSql.connect(url, { connectionTimeoutMillis: CONNECT_TIMEOUT_MS }, (error) =>
    log.warn('db.connection_lost', { message: error.message }),
  );
  let told = '';
  for (;;) {
    try {
      await applyPostgresMigrations(sql);
      if (options.seed) await ensureDemoCatalogue(sql, options.seed);
      break;
    } catch (error) {
      const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
      if (!isUnreachable(cause)) {
        await sql.end();
        throw postgresStartupError(cause) ?? error;
      }
      const detail = `not answering: ${errorText(cause)}`;
      options.waiting?.(detail);
      if (detail !== told) log.warn('db.waiting', { message: `PostgreSQL at ${withoutPassword(url)} is ${detail}; trying again every second` });
      told = detail;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  const probe = startProbe(sql, options.probeEveryMs ?? 1000, options.probeTimeoutMs ?? 2000);
  return {
    sql,
    sqlite: null,
    readiness: () => probe.last,
    commitNow: () => undefined,
    serve: () => undefined,
    async close() {
      probe.stop();
      await sql.end();
    },
  };
}

/** A statement that answers within `timeoutMs`, asked every `everyMs`; one at a time, so a hung database is not asked again and again. */
function startProbe(sql: PostgresSql, everyMs: number, timeoutMs: number): { last: StoreCheck; stop(): void } {
  const probe = { last: { ok: true, detail: 'answering' } as StoreCheck, stop: () => clearInterval(timer) };
  let asking = false;
  const ask = async () => {
    if (asking) return;
    asking = true;
    let timeout: NodeJS.Timeout | undefined;
    const late = new Promise<StoreCheck>((resolve) => {
      timeout = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
    });
    const answer = sql.get('SELECT 1 AS answering').then(
      (): StoreCheck => ({ ok: true, detail: 'answering' }),
      (error: unknown): StoreCheck => ({ ok: false, detail: `not answering: ${errorText(error)}` }),
    );
    probe.last = await Promise.race([answer, late]);
    clearTimeout(timeout);
    // A late answer still ends this ask, so the next one waits for the hung one.
    await answer;
    asking = false;
  };
  const timer = setInterval(() => void ask(), everyMs);
  timer.unref();
  return probe;
}

/** The refusals a person fixes in DATABASE_URL: the user, the password, the database's name. */
function postgresStartupError(error: unknown): StartupError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(code.startsWith('28') || code === '3D000' || code === 'ENOTFOUND')) return undefined;
  return new StartupError('DATABASE_URL', `PostgreSQL refused the connection: ${errorText(error)}`);
}

function errorText(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return errorText(error.errors[0]);
  const text = error instanceof Error ? error.message : String(error);
  return text === '' ? ((error as { code?: string }).code ?? 'error') : text;
}
