// What only PostgreSQL's executor does (the shared contract is sql-contract.test.ts): its own
// type parsers, numbers a double cannot hold refused, booleans as they are.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sql } from '../../src/db';
import { parseDatabaseNumber, PostgresSql, UnsafeNumberError } from '../../src/db/postgres-sql';
import { freshPostgresUntil, postgres } from './postgres-helpers';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const fresh = () => freshPostgresUntil(cleanups);

describe('parseDatabaseNumber', () => {
  it('reads integers and decimals, and refuses an integer beyond Number.MAX_SAFE_INTEGER', () => {
    expect(parseDatabaseNumber('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseDatabaseNumber('-42')).toBe(-42);
    expect(parseDatabaseNumber('1.5')).toBe(1.5);
    expect(() => parseDatabaseNumber('9007199254740993')).toThrow(UnsafeNumberError);
  });
});

describe.skipIf(postgres.url === null)('PostgresSql', () => {
  it('refuses, loudly, a BIGINT or NUMERIC a JS number cannot hold, and gives booleans as they are', async () => {
    const { sql } = await fresh();
    await expect(sql.get('SELECT 9007199254740993::bigint AS n')).rejects.toThrow(/beyond what a JS number holds exactly/);
    await expect(sql.get('SELECT sum(x) AS n FROM (VALUES (9007199254740991::bigint), (2::bigint)) v(x)')).rejects.toThrow(UnsafeNumberError);
    expect(await sql.get('SELECT true AS yes, 2 > 3 AS no, 7::bigint AS n, 2.5::numeric AS d')).toEqual({ yes: true, no: false, n: 7, d: 2.5 });
    // The pool is still usable after a refused row.
    expect(await sql.get('SELECT 1::bigint AS n')).toEqual({ n: 1 });
  });

  it('changes no other pool: pg’s global parsers still give BIGINT as a string', async () => {
    const { sql, url } = await fresh();
    expect(await sql.get('SELECT 5::bigint AS n')).toEqual({ n: 5 });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      expect((await client.query('SELECT 5::bigint AS n')).rows).toEqual([{ n: '5' }]);
    } finally {
      await client.end();
    }
  });

  it('releases a transaction’s connection whether it commits or rolls back', async () => {
    const { sql } = await fresh();
    for (let i = 0; i < 6; i++) {
      await sql.transaction((tx) => tx.get('SELECT 1 AS one'));
      await sql.transaction(() => Promise.reject(new Error('no'))).catch(() => undefined);
    }
    expect(sql.pool.totalCount).toBeLessThanOrEqual(4);
    expect(sql.pool.idleCount).toBe(sql.pool.totalCount);
  });

  it('a transaction’s tx kept past its end refuses statements instead of running them on a connection someone else may hold', async () => {
    const { sql } = await fresh();
    let kept: Sql | undefined;
    await sql.transaction((tx) => {
      kept = tx;
      return tx.get('SELECT 1 AS one');
    });
    await expect(kept!.get('SELECT 1 AS one')).rejects.toThrow(/this transaction has ended/);
  });

  it('a transaction whose connection broke is rolled back by the server, and the pool drops that connection instead of reusing it', async () => {
    const { sql } = await fresh();
    await sql.run('CREATE TABLE notes (name TEXT PRIMARY KEY)');
    await expect(sql.transaction(async (tx) => {
      await tx.run('INSERT INTO notes (name) VALUES (?)', ['lost']);
      await tx.get('SELECT pg_terminate_backend(pg_backend_pid())');
    })).rejects.toThrow(/terminat/);
    expect(sql.pool.totalCount).toBe(0);
    await sql.transaction((tx) => tx.run('INSERT INTO notes (name) VALUES (?)', ['next']));
    expect(await sql.all('SELECT name FROM notes')).toEqual([{ name: 'next' }]);
  });

  it('a nested transaction whose connection broke rejects with why it broke, not with the failed ROLLBACK TO after it', async () => {
    const { sql } = await fresh();
    await expect(sql.transaction((tx) => tx.transaction((inner) => inner.get('SELECT pg_terminate_backend(pg_backend_pid())')))).rejects.toThrow(
      /terminating connection due to administrator command/,
    );
    expect(sql.pool.totalCount).toBe(0);
  });

  it('a pooled connection that breaks while idle does not end the process; the next statement opens another', async () => {
    const heard: Error[] = [];
    const { url } = await fresh();
    const sql = PostgresSql.connect(url, { max: 1 }, (error) => heard.push(error));
    cleanups.unshift(() => sql.end());
    const { pid } = (await sql.get<{ pid: number }>('SELECT pg_backend_pid() AS pid'))!;
    const killer = PostgresSql.connect(url, { max: 1 });
    await killer.get('SELECT pg_terminate_backend(?)', [pid]);
    await killer.end();
    while (heard.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await sql.get('SELECT 1 AS one')).toEqual({ one: 1 });
  });
});
