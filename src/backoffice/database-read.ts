// The console's reads, when the database cannot answer: a 503 that says so, never a bare 500.
import { DomainError } from '../domain-error';

/**
 * How node reports a PostgreSQL that went away: its socket refused, or gone (a stopped server
 * removes its Unix socket file), or a pooled connection found cut at the next query (reset, or
 * broken pipe on write).
 */
const CONNECTION_LOST = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE']);

/**
 * The database is not there for us: SQLite's connection closed (better-sqlite3 throws a
 * TypeError), its file locked or broken (a SqliteError), or PostgreSQL's connection lost
 * (SQLSTATE class 08, or one of CONNECTION_LOST).
 */
function isDatabaseDown(error: unknown): boolean {
  const { name, message, code } = (error ?? {}) as { name?: unknown; message?: unknown; code?: unknown };
  if (name === 'SqliteError') return true;
  if (error instanceof TypeError && typeof message === 'string' && message.includes('database connection is not open')) return true;
  return typeof code === 'string' && (code.startsWith('08') || CONNECTION_LOST.has(code));
}

/** Wraps reads so that a database that is not there becomes a `busy` refusal in words. */
export function databaseReader(message: string) {
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      if (isDatabaseDown(error)) throw new DomainError('busy', 'database_unavailable', message);
      throw error;
    }
  };
}
