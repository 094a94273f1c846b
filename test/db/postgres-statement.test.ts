// SQLite's statement text as PostgreSQL must see it: placeholders numbered, camelCase aliases
// quoted, and nothing inside literals, quoted names, comments or dollar-quoted bodies touched.
import { describe, expect, it } from 'vitest';
import { bindForPostgres, rewriteForPostgres } from '../../src/db/postgres-statement';

describe('rewriteForPostgres', () => {
  it('numbers ? in order, and each @name once, in order of first use', () => {
    expect(rewriteForPostgres('SELECT a FROM t WHERE b = ? AND c > ?')).toEqual({ text: 'SELECT a FROM t WHERE b = $1 AND c > $2', params: { kind: 'positional', count: 2 } });
    expect(rewriteForPostgres('UPDATE t SET a = @a, b = @b WHERE @a IS NOT NULL')).toEqual({
      text: 'UPDATE t SET a = $1, b = $2 WHERE $1 IS NOT NULL',
      params: { kind: 'named', names: ['a', 'b'] },
    });
  });

  it('leaves literals, quoted names, comments, dollar-quoted bodies and casts alone', () => {
    const sql = `SELECT 'it''s ? @x' AS "q?@", x::text, $fn$ ? @y $fn$ -- why? @z
      FROM t /* ? @w */ WHERE a = ?`;
    expect(rewriteForPostgres(sql).text).toBe(`SELECT 'it''s ? @x' AS "q?@", x::text, $fn$ ? @y $fn$ -- why? @z
      FROM t /* ? @w */ WHERE a = $1`);
  });

  it('quotes camelCase names wherever they appear, and nothing else', () => {
    expect(rewriteForPostgres('SELECT o.created_at AS createdAt, COUNT(*) AS n FROM orders O ORDER BY createdAt, l.owedNow').text).toBe(
      'SELECT o.created_at AS "createdAt", COUNT(*) AS n FROM orders O ORDER BY "createdAt", l."owedNow"',
    );
  });

  it('refuses a statement that mixes ? and @name, and an unterminated literal', () => {
    expect(() => rewriteForPostgres('SELECT ? , @a')).toThrow(/either \? or @name/);
    expect(() => rewriteForPostgres("SELECT 'open")).toThrow(/unterminated/);
  });
});

describe('bindForPostgres', () => {
  it('refuses what better-sqlite3 would: a wrong count, a missing name, parameters for none', () => {
    const positional = rewriteForPostgres('SELECT ?, ?');
    expect(bindForPostgres(positional, [1, 2], 'q')).toEqual([1, 2]);
    expect(() => bindForPostgres(positional, [1], 'q')).toThrow(/takes 2 positional/);
    const named = rewriteForPostgres('SELECT @a, @b');
    expect(bindForPostgres(named, { b: 2, a: 1, extra: 3 }, 'q')).toEqual([1, 2]);
    expect(() => bindForPostgres(named, { a: 1 }, 'q')).toThrow(/missing named parameter @b/);
    expect(() => bindForPostgres(named, [1, 2], 'q')).toThrow(/named parameters/);
    // Outside input never becomes a key looked up through a prototype.
    expect(() => bindForPostgres(rewriteForPostgres('SELECT @toString'), {}, 'q')).toThrow(/missing named parameter @toString/);
    expect(() => bindForPostgres(rewriteForPostgres('SELECT 1'), [1], 'q')).toThrow(/no parameters/);
  });
});
