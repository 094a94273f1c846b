// The `Sql` port over SQLite: a transaction's body awaits its statements, so the executor must
// keep everyone else's statements out of it until it ends, roll it back whole when it throws, and
// keep a grouped commit from committing half of it. A second connection to the same file is what
// a crash would leave: it sees only what is committed.
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, SqliteSql, type Database, type Sql } from '../../src/db';
import { tempDatabase } from './helpers';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function setup(): { sql: SqliteSql; other: Database; names(): string[] } {
  const t = tempDatabase({ migrate: false });
  cleanups.push(t.close);
  t.db.exec('CREATE TABLE notes (name TEXT NOT NULL PRIMARY KEY)');
  const other = openDatabase(t.file);
  cleanups.push(() => other.close());
  return { sql: new SqliteSql(t.db), other, names: () => other.prepare('SELECT name FROM notes ORDER BY name').pluck().all() as string[] };
}

const insert = 'INSERT INTO notes (name) VALUES (?)';
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('SqliteSql', () => {
  it('runs positional and named parameters, and answers rows, one row or none, and changes', async () => {
    const { sql } = setup();
    expect(await sql.run(insert, ['a'])).toEqual({ changes: 1, lastInsertRowid: 1 });
    await sql.run('INSERT INTO notes (name) VALUES (@name)', { name: 'b' });
    expect(await sql.all<{ name: string }>('SELECT name FROM notes ORDER BY name')).toEqual([{ name: 'a' }, { name: 'b' }]);
    expect(await sql.get('SELECT name FROM notes WHERE name = ?', ['b'])).toEqual({ name: 'b' });
    expect(await sql.get('SELECT name FROM notes WHERE name = ?', ['z'])).toBeUndefined();
    expect(await sql.run('DELETE FROM notes')).toMatchObject({ changes: 2 });
  });

  it('a statement outside a running transaction waits for it, so it is never rolled back with it', async () => {
    const { sql, names } = setup();
    const failing = sql.transaction(async (tx) => {
      await tx.run(insert, ['in-tx']);
      await nextTurn();
      throw new Error('the body failed');
    });
    const outside = sql.run(insert, ['outside']);
    await expect(failing).rejects.toThrow('the body failed');
    await outside;
    expect(names()).toEqual(['outside']);
  });

  it('a failed statement rejects, and a transaction whose body throws leaves nothing', async () => {
    const { sql, names } = setup();
    await expect(sql.run(insert, [null])).rejects.toThrow(/NOT NULL|constraint/i);
    await expect(
      sql.transaction(async (tx) => {
        await tx.run(insert, ['a']);
        await tx.run(insert, ['a']);
      }),
    ).rejects.toThrow(/UNIQUE/);
    expect(names()).toEqual([]);
  });

  it('a failing statement answers a rejected promise, never a synchronous throw: outside, inside, or waiting for a transaction', async () => {
    const { sql, names } = setup();
    // Called without await: a synchronous throw would escape here instead of reaching `rejects`.
    const calls = (on: Sql) => [
      on.run(insert, [null]), on.get('SELECT nope FROM notes'), on.all('SELECT nope FROM notes'),
    ];
    for (const call of calls(sql)) await expect(call).rejects.toThrow(/NOT NULL|no such column/);
    let waiting: Promise<unknown>[] = [];
    await sql.transaction(async (tx) => {
      for (const call of calls(tx)) await expect(call).rejects.toThrow(/NOT NULL|no such column/);
      waiting = calls(sql);
      await tx.run(insert, ['in-tx']);
    });
    for (const call of waiting) await expect(call).rejects.toThrow(/NOT NULL|no such column/);
    expect(names()).toEqual(['in-tx']);
  });

  it('a nested transaction is part of the outer one', async () => {
    const { sql, names } = setup();
    await expect(
      sql.transaction(async (tx) => {
        await tx.transaction((inner) => inner.run(insert, ['inner']));
        throw new Error('outer failed');
      }),
    ).rejects.toThrow('outer failed');
    expect(names()).toEqual([]);
  });

  it('a nested transaction that fails takes back only its own statements, and its afterCommit never runs', async () => {
    const { sql, names } = setup();
    let ran = 0;
    await sql.transaction(async (tx) => {
      await tx.run(insert, ['outer']);
      await tx
        .transaction(async (inner) => {
          await inner.run(insert, ['inner-1']);
          inner.afterCommit(() => ran++);
          await inner.run(insert, ['outer']);
        })
        .catch(() => undefined);
    });
    expect(names()).toEqual(['outer']);
    expect(ran).toBe(0);
  });

  it('while grouping, a turn that ends in the middle of a transaction commits it whole once it ends', async () => {
    const { sql, names } = setup();
    sql.groupCommits(true);
    cleanups.unshift(() => sql.groupCommits(false));
    await sql.run(insert, ['before']);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const body = sql.transaction(async (tx) => {
      await tx.run(insert, ['first']);
      await gate;
      await tx.run(insert, ['second']);
    });
    await nextTurn();
    await nextTurn();
    expect(names()).toEqual([]);
    release();
    await body;
    await sql.committed();
    expect(names()).toEqual(['before', 'first', 'second']);
  });

  it('afterCommit runs only once the writes before it are committed', async () => {
    const { sql, names } = setup();
    sql.groupCommits(true);
    cleanups.unshift(() => sql.groupCommits(false));
    await sql.transaction((tx) => tx.run(insert, ['a']));
    const seen: string[][] = [];
    sql.afterCommit(() => seen.push(names()));
    expect(seen).toEqual([]);
    await sql.committed();
    expect(seen).toEqual([['a']]);
  });
});

describe('SqliteSql per connection', () => {
  it('is one per connection: a second `new` answers the first, so it waits for its transactions', () => {
    const { sql } = setup();
    expect(new SqliteSql(sql.raw)).toBe(sql);
  });
});
