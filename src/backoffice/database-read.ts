// The console's reads, when the database cannot answer: a 503 that says so, never a bare 500.
import { isUnreachable } from '../db';
import { DomainError } from '../domain-error';

/**
 * The database is not there for us: SQLite's connection closed (better-sqlite3 throws a
 * TypeError), its file locked or broken (a SqliteError), or PostgreSQL's connection lost
 * (db/errors.ts `isUnreachable`: the one rule start-up uses too).
 */
function isDatabaseDown(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  if (name === 'SqliteError') return true;
  if (error instanceof TypeError && typeof message === 'string' && message.includes('database connection is not open')) return true;
  return isUnreachable(error);
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
