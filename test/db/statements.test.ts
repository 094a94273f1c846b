// The SQLite statement cache (src/db/statements.ts): how a statement is prepared and how its rows
// are read. SQLite only: PostgreSQL has its own statements.
import { describe, expect, it } from 'vitest';
import { preparable, statement } from '../../src/db/statements';
import { tempDatabase } from './helpers';

function withTable(fn: (db: ReturnType<typeof tempDatabase>['db']) => void): void {
  const t = tempDatabase({ migrate: false });
  try {
    t.db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER)');
    t.db.exec("INSERT INTO t (name, n) VALUES ('a', 1), ('b', 2), ('c', 3)");
    fn(t.db);
  } finally {
    t.close();
  }
}

describe('preparable', () => {
  it('makes a bound LIMIT an expression, whatever the parameter is called', () => {
    expect(preparable('SELECT 1 FROM t LIMIT ?')).toBe('SELECT 1 FROM t LIMIT +?');
    expect(preparable('SELECT 1 FROM t ORDER BY id limit @limit')).toBe('SELECT 1 FROM t ORDER BY id LIMIT +@limit');
    expect(preparable('SELECT 1 FROM t LIMIT\n  :n')).toBe('SELECT 1 FROM t LIMIT +:n');
  });

  it('leaves a literal LIMIT and the rest of the statement alone', () => {
    const sql = "SELECT 'LIMIT ?' AS text, id FROM t WHERE id > ? LIMIT 5";
    expect(preparable(sql)).toBe(sql);
  });
});

describe('statement', () => {
  it('still limits by the bound value, positional or named', () => {
    withTable((db) => {
      expect(statement(db, 'SELECT id FROM t ORDER BY id LIMIT ?').all([2])).toEqual([{ id: 1 }, { id: 2 }]);
      expect(statement(db, 'SELECT id FROM t ORDER BY id LIMIT @limit').all([{ limit: 1 }])).toEqual([{ id: 1 }]);
      expect(statement(db, 'SELECT id FROM t ORDER BY id LIMIT @limit').source).toContain('LIMIT +@limit');
    });
  });

  it('answers rows as plain objects of the columns, in order, the last of a repeated name winning', () => {
    withTable((db) => {
      const row = statement(db, 'SELECT id, name AS label, n, n * 10 AS n FROM t WHERE id = ?').get([2]);
      expect(row).toEqual({ id: 2, label: 'b', n: 20 });
      expect(Object.keys(row as object)).toEqual(['id', 'label', 'n']);
      expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
      expect(statement(db, 'SELECT id FROM t WHERE id = ?').get([99])).toBeUndefined();
    });
  });

  it('is prepared once per SQL text and connection', () => {
    withTable((db) => {
      const sql = 'SELECT count(*) AS n FROM t';
      expect(statement(db, sql)).toBe(statement(db, sql));
      expect(statement(db, sql).get([])).toEqual({ n: 3 });
    });
  });

  it('refuses a result column named __proto__, which would set the prototype of every row', () => {
    withTable((db) => {
      expect(() => statement(db, 'SELECT name AS __proto__ FROM t')).toThrow(/__proto__/);
    });
  });

  it('runs a write and says how many rows it changed', () => {
    withTable((db) => {
      expect(statement(db, 'UPDATE t SET n = n + 1 WHERE n >= ?').run([2])).toMatchObject({ changes: 2 });
      expect(() => statement(db, 'UPDATE t SET n = 0').get([])).toThrow(/does not return data/);
    });
  });
});
