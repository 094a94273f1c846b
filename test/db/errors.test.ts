// The store's error vocabulary (src/db/errors.ts) on real errors of both databases: each question
// says yes to its own error and no to the others'.
import { afterEach, describe, expect, it } from 'vitest';
import { applyPostgresMigrations, openDatabase, setBusyTimeout, SqliteSql, type Sql } from '../../src/db';
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

/** The two unique violations the code tells apart today (checkout's idempotency key, the catalogue's one active seller per number), on the real schema. */
async function knownViolations(sql: Sql): Promise<{ idempotencyKey: unknown; activeMsisdn: unknown }> {
  const seller = (id: string) =>
    sql.run('INSERT INTO sellers (id, name, msisdn, share_bps, created_at, updated_at) VALUES (?, ?, ?, 8000, 1, 1)', [id, id, '256700000001']);
  await seller('s1');
  const activeMsisdn = await seller('s2').catch((error: unknown) => error);
  await sql.run("INSERT INTO products (id, seller_id, name, price_minor, currency, created_at, updated_at) VALUES ('p', 's1', 'P', 100, 'EUR', 1, 1)");
  const order = (id: string) =>
    sql.run(`INSERT INTO orders (id, idempotency_key, product_id, seller_id, qty, unit_price_minor, amount_minor, currency, seller_share_bps,
      seller_amount_minor, platform_amount_minor, payer_msisdn, status, created_at, updated_at)
      VALUES (?, 'key-1', 'p', 's1', 1, 100, 100, 'EUR', 8000, 80, 20, '256700000002', 'pending', 1, 1)`, [id]);
  await order('o1');
  const idempotencyKey = await order('o2').catch((error: unknown) => error);
  return { idempotencyKey, activeMsisdn };
}

function expectTold(found: { idempotencyKey: unknown; activeMsisdn: unknown }): void {
  const idempotency = { table: 'orders', columns: ['idempotency_key'] };
  const msisdn = { table: 'sellers', columns: ['msisdn'] };
  expect(isUniqueViolation(found.idempotencyKey, idempotency)).toBe(true);
  expect(isUniqueViolation(found.idempotencyKey, msisdn)).toBe(false);
  expect(isUniqueViolation(found.activeMsisdn, msisdn)).toBe(true);
  expect(isUniqueViolation(found.activeMsisdn, idempotency)).toBe(false);
}

describe('the unique violations the code tells apart, on the migrated schema', () => {
  it('are told by table and columns on SQLite', async () => {
    const t = tempDatabase();
    cleanups.push(t.close);
    expectTold(await knownViolations(new SqliteSql(t.db)));
  });

  it.skipIf(postgres.url === null)('and on PostgreSQL', async () => {
    const db = await freshPostgres();
    cleanups.push(db.drop);
    await applyPostgresMigrations(db.sql);
    expectTold(await knownViolations(db.sql));
  });
});
