// A secret every instance shares (the CSRF key): whichever asks first makes it, every other
// connection to the same database gets that one, also when they ask at the same moment.
import { afterEach, describe, expect, it } from 'vitest';
import { applyPostgresMigrations, openDatabase, sharedSecret, SqliteSql, type Sql } from '../../src/db';
import { PostgresSql } from '../../src/db/postgres-sql';
import { tempDatabase } from './helpers';
import { freshPostgres, postgres } from './postgres-helpers';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function twoInstances(dialect: 'sqlite' | 'postgres'): Promise<[Sql, Sql]> {
  if (dialect === 'sqlite') {
    const t = tempDatabase();
    cleanups.push(t.close);
    const other = openDatabase(t.file);
    cleanups.push(() => other.close());
    return [new SqliteSql(t.db), new SqliteSql(other)];
  }
  const first = await freshPostgres();
  cleanups.push(first.drop);
  await applyPostgresMigrations(first.sql);
  // A second pool on the same database: another instance.
  const second = PostgresSql.connect(first.url, { max: 2 });
  cleanups.unshift(() => second.end());
  return [first.sql, second];
}

describe.each([
  { dialect: 'sqlite' as const, skip: null },
  { dialect: 'postgres' as const, skip: postgres.skipped },
])('a shared secret on $dialect', ({ dialect, skip }) => {
  it.skipIf(skip !== null)('is made once and is the same for every instance, even asked at once', async () => {
    const [a, b] = await twoInstances(dialect);
    const [fromA, fromB] = await Promise.all([sharedSecret(a, 'csrf'), sharedSecret(b, 'csrf')]);
    expect(fromA).toMatch(/^[0-9a-f]{64}$/);
    expect(fromB).toBe(fromA);
    expect(await sharedSecret(a, 'csrf')).toBe(fromA);
    expect(await sharedSecret(a, 'another')).not.toBe(fromA);
  });
});
