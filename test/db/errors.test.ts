// The store's error vocabulary (src/db/errors.ts) on real errors of both databases: each question
// says yes to its own error and no to the others'.
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, setBusyTimeout } from '../../src/db';
import { isBusy, isSerializationFailure, isUniqueViolation } from '../../src/db/errors';
import { tempDatabase } from './helpers';
import { freshPostgres, postgres } from './postgres-helpers';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('it did not throw');
}

describe('the error vocabulary on SQLite', () => {
  it('tells a unique violation, a primary key violation and a busy database apart', () => {
    const t = tempDatabase({ migrate: false });
    cleanups.push(t.close);
    t.db.exec('CREATE TABLE notes (name TEXT PRIMARY KEY, tag TEXT UNIQUE)');
    t.db.prepare("INSERT INTO notes VALUES ('a', 't')").run();
    const primary = caught(() => t.db.prepare("INSERT INTO notes VALUES ('a', 'u')").run());
    const unique = caught(() => t.db.prepare("INSERT INTO notes VALUES ('b', 't')").run());
    const other = openDatabase(t.file);
    cleanups.push(() => other.close());
    t.db.exec('BEGIN IMMEDIATE');
    cleanups.unshift(() => t.db.open && t.db.inTransaction && t.db.exec('ROLLBACK'));
    setBusyTimeout(other, 0);
    const busy = caught(() => other.prepare("INSERT INTO notes VALUES ('c', 'v')").run());
    expect([primary, unique, busy].map((error) => [isUniqueViolation(error), isBusy(error), isSerializationFailure(error)])).toEqual([
      [true, false, false],
      [true, false, false],
      [false, true, false],
    ]);
  });
});

describe.skipIf(postgres.url === null)('the error vocabulary on PostgreSQL', () => {
  it('tells a unique violation, a row another transaction holds (NOWAIT) and a serialization failure apart', async () => {
    const { sql } = await freshPostgres().then((db) => (cleanups.push(db.drop), db));
    await sql.run('CREATE TABLE notes (name TEXT PRIMARY KEY, amount BIGINT NOT NULL)');
    await sql.run("INSERT INTO notes VALUES ('a', 1)");
    const unique = await sql.run("INSERT INTO notes VALUES ('a', 2)").catch((error: unknown) => error);

    let busy: unknown;
    let serialization: unknown;
    await sql.transaction(async (holder) => {
      await holder.get("SELECT name FROM notes WHERE name = 'a' FOR UPDATE");
      busy = await sql.transaction((tx) => tx.get("SELECT name FROM notes WHERE name = 'a' FOR UPDATE NOWAIT")).catch((error: unknown) => error);
    });
    await sql
      .transaction(async (tx) => {
        await tx.run('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        await tx.get("SELECT amount FROM notes WHERE name = 'a'");
        // Another connection changes the row this snapshot has read, and commits.
        await sql.run("UPDATE notes SET amount = 3 WHERE name = 'a'");
        await tx.run("UPDATE notes SET amount = 4 WHERE name = 'a'");
      })
      .catch((error: unknown) => (serialization = error));
    expect([unique, busy, serialization].map((error) => [isUniqueViolation(error), isBusy(error), isSerializationFailure(error)])).toEqual([
      [true, false, false],
      [false, true, false],
      [false, false, true],
    ]);
  });
});
