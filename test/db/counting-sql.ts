// An `Sql` that counts the statements run through it (its transactions' too), by their first
// words: what a store's write costs in round trips, on either database, without timing anything.
import type { Params, RunResult, Sql } from '../../src/db';

export interface CountingSql extends Sql {
  /** Every statement run so far, its whitespace folded, in order. */
  readonly statements: string[];
}

export function countingSql(inner: Sql, statements: string[] = []): CountingSql {
  const seen = (sql: string) => statements.push(sql.replace(/\s+/g, ' ').trim());
  return {
    statements,
    dialect: inner.dialect,
    inTransaction: inner.inTransaction,
    all<T>(sql: string, params?: Params): Promise<T[]> {
      seen(sql);
      return inner.all<T>(sql, params);
    },
    get<T>(sql: string, params?: Params): Promise<T | undefined> {
      seen(sql);
      return inner.get<T>(sql, params);
    },
    run(sql: string, params?: Params): Promise<RunResult> {
      seen(sql);
      return inner.run(sql, params);
    },
    transaction: <T>(fn: (tx: Sql) => Promise<T>) => inner.transaction((tx) => fn(countingSql(tx, statements))),
    committed: () => inner.committed(),
    afterCommit: (fn) => inner.afterCommit(fn),
  };
}
