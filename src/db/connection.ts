// One place that opens the database, so every process gets the same pragmas.
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { StartupError } from '../startup-error';

export type Database = BetterSqlite3.Database;

/**
 * How long a write waits for another process's write lock when a database is opened: for the
 * commands (`migrate`, `seed`) and Sokoni's own start-up, where waiting beats failing.
 */
export const OPENING_BUSY_TIMEOUT_MS = 5000;

/**
 * How long a write waits for another process's lock once Sokoni serves: not at all. better-
 * sqlite3 is synchronous, so SQLite's busy wait would stall the event loop, and every request,
 * stream and the worker with it. Little is lost by not waiting: inside one process writers never
 * meet (one connection, one thread) and WAL readers never wait for a writer, so the lock is only
 * ever another process's (`npm run seed` or `migrate`, a backup, an operator's sqlite3 shell).
 * The write fails at once with SQLITE_BUSY, which the web layer answers 503 `busy` with
 * Retry-After (nothing written) while reads go on; the worker tries again later. A write that
 * meets another process's transaction of a few ms gets the same answer and works when retried,
 * rather than holding every other request for those ms. Every failed
 * write would cost the event loop the timeout, and a caller that retries at once (today's
 * worker, on a pending order) pays it again and again: in test/db/busy.test.ts on a loaded 2-core
 * machine, reads' p50 while the lock was held was 8–13 ms at 0 ms (as without the lock), 34–46 ms
 * at 5 ms (15–24 ms without), and p99 rose to 111 ms at 10 ms and 189 ms at 25 ms.
 */
export const SERVING_BUSY_TIMEOUT_MS = 0;

/** Opens with OPENING_BUSY_TIMEOUT_MS; a server lowers it with setBusyTimeout once it serves. */
export function openDatabase(file: string): Database {
  const inMemory = file === ':memory:';
  if (!inMemory) ensureFolder(file);
  try {
    const db = new BetterSqlite3(file);
    // WAL lets the web requests read while the worker writes; NORMAL is durable enough under WAL
    // (a power cut may lose the last commits, never corrupt the file).
    if (!inMemory) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    setBusyTimeout(db, OPENING_BUSY_TIMEOUT_MS);
    db.pragma('synchronous = NORMAL');
    // The group commit makes each write a savepoint in the turn's transaction (group-commit.ts),
    // and a savepoint keeps a copy of each page it changes first; past 64 KiB SQLite moves those
    // copies to a temporary file. At callbacks-peak that was 320 KB of writes per order (with 220
    // KB to the WAL) and a write system call per page. In memory they cost a copy (issue #16).
    // Temporary tables and sorts are held in memory too; Sokoni's are small (reads are paged).
    db.pragma('temp_store = MEMORY');
    return db;
  } catch (error) {
    throw databaseStartupError(file, error) ?? error;
  }
}

export function setBusyTimeout(db: Database, ms: number): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(ms))}`);
}

/**
 * Can this connection write now? A write statement that changes nothing: it takes the write lock
 * (so it fails on a read-only file, or at once while another process holds the lock) and
 * commits no page. It never waits: the busy timeout is 0 for its duration.
 */
export function probeWritable(db: Database): { ok: boolean; detail: string } {
  if (db.inTransaction) return { ok: true, detail: 'writing' };
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  setBusyTimeout(db, 0);
  try {
    db.prepare('DELETE FROM schema_migrations WHERE 0').run();
    return { ok: true, detail: 'writable' };
  } catch (error) {
    const code = sqliteCode(error);
    if (code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED')) return { ok: false, detail: 'locked by another process' };
    if (code?.startsWith('SQLITE_READONLY')) return { ok: false, detail: 'read-only' };
    return { ok: false, detail: code ?? 'cannot write' };
  } finally {
    setBusyTimeout(db, timeout);
  }
}

/** Throws SQLite's error when this connection cannot write (waiting out its busy timeout first). */
export function assertWritable(db: Database): void {
  db.prepare('DELETE FROM schema_migrations WHERE 0').run();
}

/** SQLite's code (e.g. SQLITE_BUSY_SNAPSHOT) when `error` is better-sqlite3's SqliteError. */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof BetterSqlite3.SqliteError && typeof code === 'string' ? code : undefined;
}

// Codes that mean the file or its folder is the problem, not Sokoni: the person must change
// DATABASE_PATH or the file's permissions.
const FILE_CODES = ['SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_PERM', 'SQLITE_NOTADB', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_CORRUPT', 'SQLITE_AUTH'];

/** A StartupError naming DATABASE_PATH for errors about the file itself; undefined for others. */
export function databaseStartupError(file: string, error: unknown): StartupError | undefined {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  const code = sqliteCode(cause);
  if (!code || !FILE_CODES.some((prefix) => code.startsWith(prefix))) return undefined;
  const reason = code.startsWith('SQLITE_READONLY') ? 'the file is read-only for this user' : (cause as Error).message;
  return new StartupError('DATABASE_PATH', `cannot write the database ${path.resolve(file)}: ${reason} (${code})`);
}

/**
 * Creates the database's folder, one level at a time from the nearest one that exists. Not
 * fs.mkdirSync's `recursive`: on a path under /proc (mkdir answers ENOENT for a folder whose
 * parent exists) Node's recursive mkdir retries forever at 100% CPU.
 */
function ensureFolder(file: string): void {
  const folder = path.dirname(path.resolve(file));
  const missing: string[] = [];
  let at = folder;
  for (;;) {
    const stat = statOrNull(at);
    if (stat?.isDirectory()) break;
    if (stat) throw new StartupError('DATABASE_PATH', `${at} is a file, not a folder, so ${path.resolve(file)} cannot be created`);
    missing.unshift(at);
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const dir of missing) {
    try {
      fs.mkdirSync(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      if (code === 'EEXIST' && statOrNull(dir)?.isDirectory()) continue;
      throw new StartupError('DATABASE_PATH', `cannot create the folder ${dir} for the database (${code})`);
    }
  }
}

function statOrNull(at: string): fs.Stats | null {
  try {
    return fs.statSync(at);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ENOTDIR') {
      throw new StartupError('DATABASE_PATH', `${at} goes through a file, not a folder`);
    }
    throw new StartupError('DATABASE_PATH', `cannot reach ${at} (${code ?? 'error'})`);
  }
}
