// The store port's contract (src/db/sql.ts), one suite run over both executors: SQLite on a temp
// file (as served: its worker groups commits) and PostgreSQL on a fresh database of the run's
// throwaway cluster. A room's code written against `Sql` must get the same answers from either.
// A second connection reads what is committed, as another process (or instance) would.
import { afterEach, describe, expect, it } from 'vitest';
import { atomically, insertId, openDatabase, SqliteSql, type Sql } from '../../src/db';
import { isUniqueViolation } from '../../src/db/errors';
import { PostgresSql } from '../../src/db/postgres-sql';
import { tempDatabase } from './helpers';
import { freshPostgres, postgres } from './postgres-helpers';

interface Subject {
  sql: Sql;
  /** The notes another connection sees: what is committed. */
  committedNames(): Promise<string[]>;
}

const NOTES = 'CREATE TABLE notes (name TEXT NOT NULL PRIMARY KEY, amount_minor BIGINT, tag TEXT UNIQUE)';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function sqlite(grouped: boolean): Promise<Subject> {
  const t = tempDatabase({ migrate: false });
  cleanups.push(t.close);
  t.db.exec(NOTES);
  const sql = new SqliteSql(t.db);
  sql.groupCommits(grouped);
  cleanups.push(() => sql.groupCommits(false));
  const other = openDatabase(t.file);
  cleanups.push(() => other.close());
  const read = () => other.prepare('SELECT name FROM notes ORDER BY name').all() as { name: string }[];
  return Promise.resolve({ sql, committedNames: () => Promise.resolve(read().map((row) => row.name)) });
}

async function postgresql(): Promise<Subject> {
  const fresh = await freshPostgres();
  cleanups.push(fresh.drop);
  await fresh.sql.run(NOTES);
  const other = PostgresSql.connect(fresh.url, { max: 1 });
  cleanups.push(() => other.end());
  return {
    sql: fresh.sql,
    committedNames: async () => (await other.all<{ name: string }>('SELECT name FROM notes ORDER BY name')).map((row) => row.name),
  };
}

interface Executor {
  name: string;
  make: () => Promise<Subject>;
  skip: string | null;
}

const executors: Executor[] = [
  // As served: the worker groups each turn's commits.
  { name: 'SqliteSql (grouped commits)', make: () => sqlite(true), skip: null },
  // As commands and tests use it: each transaction commits on its own.
  { name: 'SqliteSql', make: () => sqlite(false), skip: null },
  { name: 'PostgresSql', make: postgresql, skip: postgres.skipped },
];

const insert = 'INSERT INTO notes (name) VALUES (?)';

for (const executor of executors) {
  describe.skipIf(executor.skip !== null)(`the Sql contract on ${executor.name}`, () => {
    it('binds positional and named parameters, and answers rows, one row or none, and changes', async () => {
      const { sql } = await executor.make();
      expect(await sql.run(insert, ['a'])).toMatchObject({ changes: 1 });
      await sql.run('INSERT INTO notes (name, amount_minor) VALUES (@name, @amount)', { name: 'b', amount: 250 });
      // A name used twice is one parameter.
      await sql.run('INSERT INTO notes (name, tag) VALUES (@name, @name)', { name: 'c' });
      expect(await sql.all<{ name: string }>('SELECT name FROM notes ORDER BY name')).toEqual([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
      expect(await sql.get('SELECT name, amount_minor FROM notes WHERE name = ?', ['b'])).toEqual({ name: 'b', amount_minor: 250 });
      expect(await sql.get('SELECT name, tag FROM notes WHERE tag = @tag', { tag: 'c' })).toEqual({ name: 'c', tag: 'c' });
      expect(await sql.get('SELECT name FROM notes WHERE name = ?', ['z'])).toBeUndefined();
      expect(await sql.run('UPDATE notes SET amount_minor = 1 WHERE name <> ?', ['b'])).toMatchObject({ changes: 2 });
      expect(await sql.run('DELETE FROM notes')).toMatchObject({ changes: 3 });
    });

    it('insertId answers the id of the row an INSERT wrote, alone and inside a transaction', async () => {
      const { sql } = await executor.make();
      await sql.run(`CREATE TABLE tickets (id ${sql.dialect === 'postgres' ? 'BIGSERIAL' : 'INTEGER'} PRIMARY KEY, label TEXT NOT NULL)`);
      const first = await insertId(sql, 'INSERT INTO tickets (label) VALUES (?)', ['first']);
      const [second, third] = await sql.transaction(async (tx) => [
        await insertId(tx, 'INSERT INTO tickets (label) VALUES (@label)', { label: 'second' }),
        await insertId(tx, 'INSERT INTO tickets (label) VALUES (@label)', { label: 'third' }),
      ]);
      expect(await sql.all('SELECT id, label FROM tickets ORDER BY id')).toEqual([
        { id: first, label: 'first' }, { id: second, label: 'second' }, { id: third, label: 'third' },
      ]);
      expect(new Set([first, second, third]).size).toBe(3);
    });

    it('leaves ? and @x alone inside string literals, quoted names and comments', async () => {
      const { sql } = await executor.make();
      await sql.run(insert, ['what?']);
      const row = await sql.get<Record<string, unknown>>(
        `SELECT name, 'is it? @x' AS "a?b", 'it''s @y?' AS quoted -- a comment? @z
         FROM notes /* still? @w */ WHERE name = ?`,
        ['what?'],
      );
      expect(row).toEqual({ name: 'what?', 'a?b': 'is it? @x', quoted: "it's @y?" });
    });

    it('answers under camelCase aliases, which ORDER BY and outer queries can name', async () => {
      const { sql } = await executor.make();
      await sql.run('INSERT INTO notes (name, amount_minor) VALUES (?, ?), (?, ?)', ['a', 2, 'b', 1]);
      expect(await sql.all('SELECT name AS noteName, amount_minor AS amountMinor FROM notes ORDER BY amountMinor')).toEqual([
        { noteName: 'b', amountMinor: 1 },
        { noteName: 'a', amountMinor: 2 },
      ]);
      expect(await sql.all('SELECT t.noteName FROM (SELECT name AS noteName FROM notes) t WHERE t.noteName = ?', ['a'])).toEqual([{ noteName: 'a' }]);
    });

    it('returns big integers, counts and sums as numbers', async () => {
      const { sql } = await executor.make();
      await sql.run('INSERT INTO notes (name, amount_minor) VALUES (?, ?), (?, ?)', ['a', Number.MAX_SAFE_INTEGER - 10, 'b', 4]);
      expect(await sql.get('SELECT amount_minor FROM notes WHERE name = ?', ['a'])).toEqual({ amount_minor: Number.MAX_SAFE_INTEGER - 10 });
      expect(await sql.get('SELECT count(*) AS n, sum(amount_minor) AS total FROM notes')).toEqual({ n: 2, total: Number.MAX_SAFE_INTEGER - 6 });
    });

    it('a transaction lands whole, or not at all when its body or a statement fails', async () => {
      const { sql, committedNames } = await executor.make();
      expect(await sql.transaction(async (tx) => {
        await tx.run(insert, ['a']);
        await tx.run(insert, ['b']);
        return 'done';
      })).toBe('done');
      await sql.committed();
      expect(await committedNames()).toEqual(['a', 'b']);
      await expect(sql.transaction(async (tx) => {
        await tx.run(insert, ['c']);
        throw new Error('the body failed');
      })).rejects.toThrow('the body failed');
      await expect(sql.transaction(async (tx) => {
        await tx.run(insert, ['d']);
        await tx.run(insert, ['a']);
      })).rejects.toSatisfy((error) => isUniqueViolation(error));
      await sql.committed();
      expect(await committedNames()).toEqual(['a', 'b']);
      // The executor is still usable after a rollback.
      await sql.run(insert, ['e']);
      await sql.committed();
      expect(await committedNames()).toEqual(['a', 'b', 'e']);
    });

    it('a nested transaction is part of the outer one; a failure caught around it leaves the outer one usable', async () => {
      const { sql, committedNames } = await executor.make();
      await expect(sql.transaction(async (tx) => {
        await tx.transaction((inner) => inner.run(insert, ['inner']));
        throw new Error('outer failed');
      })).rejects.toThrow('outer failed');
      await sql.transaction(async (tx) => {
        await tx.run(insert, ['a']);
        // The portable way to try a statement that may be refused inside a transaction.
        await expect(tx.transaction((inner) => inner.run(insert, ['a']))).rejects.toSatisfy((error) => isUniqueViolation(error));
        await tx.run(insert, ['b']);
      });
      await sql.committed();
      expect(await committedNames()).toEqual(['a', 'b']);
    });

    it('atomically is a transaction of its own outside one, and part of the open one inside it (no savepoint)', async () => {
      const { sql, committedNames } = await executor.make();
      expect(sql.inTransaction).toBe(false);
      await expect(atomically(sql, async (tx) => {
        expect(tx.inTransaction).toBe(true);
        await tx.run(insert, ['a']);
        await tx.run(insert, ['a']);
      })).rejects.toSatisfy((error) => isUniqueViolation(error));
      await sql.transaction(async (tx) => {
        await atomically(tx, async (inner) => {
          expect(inner).toBe(tx);
          await inner.run(insert, ['b']);
        });
      });
      await sql.committed();
      expect(await committedNames()).toEqual(['b']);
    });

    it('afterCommit on a transaction runs once it is committed, nested ones with it', async () => {
      const { sql, committedNames } = await executor.make();
      const seen: Promise<string[]>[] = [];
      await sql.transaction(async (tx) => {
        await tx.run(insert, ['a']);
        tx.afterCommit(() => seen.push(committedNames()));
        await tx.transaction(async (inner) => {
          await inner.run(insert, ['b']);
          inner.afterCommit(() => seen.push(committedNames()));
        });
        expect(seen).toEqual([]);
      });
      await sql.committed();
      expect(await Promise.all(seen)).toEqual([['a', 'b'], ['a', 'b']]);
    });

    it('afterCommit on a transaction that rolls back, whole or nested, never runs', async () => {
      const { sql, committedNames } = await executor.make();
      let ran = 0;
      await expect(sql.transaction(async (tx) => {
        await tx.run(insert, ['a']);
        tx.afterCommit(() => ran++);
        throw new Error('rolled back');
      })).rejects.toThrow('rolled back');
      await sql.transaction(async (tx) => {
        await tx.run(insert, ['b']);
        await tx.transaction(async (inner) => {
          await inner.run(insert, ['c']);
          inner.afterCommit(() => ran++);
          throw new Error('only the nested one rolls back');
        }).catch(() => undefined);
      });
      await sql.committed();
      expect(ran).toBe(0);
      expect(await committedNames()).toEqual(['b']);
    });

    it('outside a transaction, committed() resolves and afterCommit runs once what was written is committed', async () => {
      const { sql, committedNames } = await executor.make();
      await sql.run(insert, ['a']);
      const seen: Promise<string[]>[] = [];
      sql.afterCommit(() => seen.push(committedNames()));
      await sql.committed();
      expect(await Promise.all(seen)).toEqual([['a']]);
    });

    it('recognises unique violations, and which constraint refused the row', async () => {
      const { sql } = await executor.make();
      await sql.run('INSERT INTO notes (name, tag) VALUES (?, ?)', ['a', 't']);
      const primary = await sql.run(insert, ['a']).catch((error: unknown) => error);
      const tag = await sql.run('INSERT INTO notes (name, tag) VALUES (?, ?)', ['b', 't']).catch((error: unknown) => error);
      const notNull = await sql.run(insert, [null]).catch((error: unknown) => error);
      expect(isUniqueViolation(primary)).toBe(true);
      expect(isUniqueViolation(tag)).toBe(true);
      expect(isUniqueViolation(notNull)).toBe(false);
      expect(isUniqueViolation(tag, { table: 'notes', columns: ['tag'] })).toBe(true);
      expect(isUniqueViolation(primary, { table: 'notes', columns: ['tag'] })).toBe(false);
      expect(isUniqueViolation(primary, { table: 'notes', columns: ['name'] })).toBe(true);
      expect(isUniqueViolation(tag, { table: 'other', columns: ['tag'] })).toBe(false);
    });
  });
}
