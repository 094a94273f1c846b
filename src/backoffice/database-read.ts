// The console's reads, when the database cannot answer: a 503 that says so, never a bare 500.
import type { Database } from '../db';
import { DomainError } from '../domain-error';

/**
 * Wraps reads of `db` so that a closed connection (a TypeError) or a locked or broken file (a
 * SqliteError), both meaning the database is not there for us, become a `busy` refusal in words.
 */
export function databaseReader(db: Database, message: string) {
  return <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (!db.open || (error as { name?: unknown }).name === 'SqliteError') throw new DomainError('busy', 'database_unavailable', message);
      throw error;
    }
  };
}
