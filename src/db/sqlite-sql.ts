// The `Sql` port over one better-sqlite3 connection. SQLite answers synchronously, so a
// statement costs what it did before plus one settled promise; what the port adds is an order:
// a transaction's body awaits its statements, and while it does, other code's statements on the
// same connection would land inside it (and be rolled back with it). So a transaction holds the
// connection until it ends, and every statement outside it waits its turn. Its body never waits
// on I/O (sql.ts), so the wait is a few microtasks, never a network round trip.
//
// Writes join the turn's group commit (group-commit.ts) when the serving worker has turned it on.
import type { Database } from './connection';
import { groupCommit, type GroupCommit } from './group-commit';
import type { Params, RunResult, Sql } from './sql';
import { statement, type Prepared } from './statements';

const NO_PARAMS: readonly unknown[] = [];

function bind(params: Params | undefined): readonly unknown[] {
  if (params === undefined) return NO_PARAMS;
  return Array.isArray(params) ? params : [params];
}

function runOne(prepared: Prepared, params: Params | undefined): RunResult {
  const { changes, lastInsertRowid } = prepared.run(bind(params));
  return { changes, lastInsertRowid: Number(lastInsertRowid) };
}

// The statements answer with a settled promise, made at once: SQLite's synchronous throw becomes
// a rejection, as a failed PostgreSQL statement's is. Not `async` functions, nor a closure per
// call: the statements are the hot path's most frequent calls (about sixty per order), and
// neither machinery buys anything there (issue #16). What SQLite threw passes on unchanged
// (better-sqlite3 throws SqliteError, an Error).
// eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
const rejected = (error: unknown): Promise<never> => Promise.reject(error);

/** The statements of a running transaction: they go straight to the connection. */
class SqliteTransaction implements Sql {
  readonly dialect = 'sqlite' as const;
  readonly inTransaction = true;

  constructor(
    private readonly db: Database,
    private readonly group: GroupCommit,
  ) {}

  all<T>(sql: string, params?: Params): Promise<T[]> {
    try {
      return Promise.resolve(statement(this.db, sql).all(bind(params)) as T[]);
    } catch (error) {
      return rejected(error);
    }
  }

  get<T>(sql: string, params?: Params): Promise<T | undefined> {
    try {
      return Promise.resolve(statement(this.db, sql).get(bind(params)) as T | undefined);
    } catch (error) {
      return rejected(error);
    }
  }

  run(sql: string, params?: Params): Promise<RunResult> {
    try {
      return Promise.resolve(runOne(statement(this.db, sql), params));
    } catch (error) {
      return rejected(error);
    }
  }

  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.group.writeAsync(() => fn(this));
  }

  committed(): Promise<void> {
    return this.group.committed();
  }

  afterCommit(fn: () => void): void {
    this.group.afterStep(fn);
  }
}

const executors = new WeakMap<Database, SqliteSql>();

export class SqliteSql implements Sql {
  readonly dialect = 'sqlite' as const;
  readonly inTransaction = false;
  private readonly group!: GroupCommit;
  private readonly inside!: SqliteTransaction;
  /** Settles when the running transaction ends; null when none runs. */
  private running: Promise<void> | null = null;

  constructor(readonly raw: Database) {
    // One per connection: it owns the order of the connection's statements, so a second one
    // would let its statements into the first one's transaction. `new` on a connection that
    // has one answers that one.
    const existing = executors.get(raw);
    if (existing) return existing;
    executors.set(raw, this);
    this.group = groupCommit(raw);
    this.inside = new SqliteTransaction(raw, this.group);
  }

  // No transaction running (the usual case): answered at once. Else the statement waits for it
  // to end, and asks again (another transaction may have started meanwhile).
  // A read outside a transaction is the same statement on the same connection as one inside.
  all<T>(sql: string, params?: Params): Promise<T[]> {
    if (this.running) return this.afterRunning(() => this.all<T>(sql, params));
    return this.inside.all<T>(sql, params);
  }

  get<T>(sql: string, params?: Params): Promise<T | undefined> {
    if (this.running) return this.afterRunning(() => this.get<T>(sql, params));
    return this.inside.get<T>(sql, params);
  }

  /** One statement is atomic on its own: while grouping it joins the turn's commit without a savepoint. */
  run(sql: string, params?: Params): Promise<RunResult> {
    if (this.running) return this.afterRunning(() => this.run(sql, params));
    try {
      return Promise.resolve(this.group.writeOne(() => runOne(statement(this.raw, sql), params)));
    } catch (error) {
      return rejected(error);
    }
  }

  private async afterRunning<T>(statement: () => Promise<T>): Promise<T> {
    await this.running;
    return statement();
  }

  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    while (this.running) await this.running;
    let end!: () => void;
    this.running = new Promise((resolve) => (end = resolve));
    try {
      return await this.group.writeAsync(() => fn(this.inside));
    } finally {
      this.running = null;
      end();
    }
  }

  committed(): Promise<void> {
    return this.group.committed();
  }

  afterCommit(fn: () => void): void {
    this.group.afterCommit(fn);
  }

  /**
   * On: the writes of one turn of the event loop share one commit (a serving worker); off: each
   * commits at once, and what was open is committed now.
   */
  groupCommits(on: boolean): void {
    this.group.setGrouping(on);
  }

  /** Commits the turn's writes now, e.g. before an answer that must not precede them. */
  commitNow(): void {
    this.group.commitNow();
  }
}
