// The `Sql` port over a pg.Pool (issue #17). The statements are SQLite's (postgres-statement.ts
// rewrites their placeholders and aliases once per text); each statement outside a transaction
// runs on whichever pooled connection is free and commits itself, and a transaction holds one
// connection from BEGIN to COMMIT.
//
// Numbers: every integer column is BIGINT (ms timestamps, minor units) and sums and counts come
// back as BIGINT or NUMERIC, which pg returns as strings by default. Sokoni's code reads them as
// numbers, as SQLite gives them, so they are parsed to numbers here, and a value a double cannot
// hold exactly is refused loudly rather than silently rounded. The parsers are this pool's own
// (pg's global `types.setTypeParser` would change every other pool in the process too).
import pg from 'pg';
import { runAll } from './group-commit';
import { bindForPostgres, rewriteForPostgres, type PostgresStatement } from './postgres-statement';
import type { Params, RunResult, Sql } from './sql';

const INT8 = 20;
const NUMERIC = 1700;

export class UnsafeNumberError extends RangeError {
  override name = 'UnsafeNumberError';
}

/** A BIGINT or NUMERIC as a JS number, refused when a double would not hold it exactly. */
export function parseDatabaseNumber(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) {
    throw new UnsafeNumberError(`the database returned ${text}, beyond what a JS number holds exactly (Number.MAX_SAFE_INTEGER)`);
  }
  return value;
}

const typeParsers: pg.CustomTypesConfig = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if ((oid === INT8 || oid === NUMERIC) && format !== 'binary') return parseDatabaseNumber;
    return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
  },
};

/** The pool's options with this port's type parsers: use it for every pool a PostgresSql runs on. */
export function postgresPoolConfig(config: pg.PoolConfig): pg.PoolConfig {
  return { ...config, types: typeParsers };
}

/** Each statement text is rewritten once; the texts are constants of the code, so the map stays small. */
const rewritten = new Map<string, PostgresStatement>();

function prepare(sql: string, params: Params | undefined): { text: string; values: unknown[] } {
  let statement = rewritten.get(sql);
  if (statement === undefined) {
    statement = rewriteForPostgres(sql);
    rewritten.set(sql, statement);
  }
  return { text: statement.text, values: bindForPostgres(statement, params, sql) };
}

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

async function query<T>(on: Queryable, sql: string, params: Params | undefined): Promise<pg.QueryResult<pg.QueryResultRow & T>> {
  const { text, values } = prepare(sql, params);
  return on.query<pg.QueryResultRow & T>(text, values);
}

/** What runs after a transaction (or a nested one) commits. */
interface Level {
  after: (() => void)[];
}

/** The statements of a running transaction, on its one connection. */
export class PostgresTransaction implements Sql {
  readonly dialect = 'postgres' as const;
  readonly inTransaction = true;
  /** The transaction's level, then each nested one running inside it. */
  private readonly levels: Level[] = [{ after: [] }];
  /** False once the transaction has ended and its connection went back to the pool (maybe to someone else). */
  private open = true;

  constructor(
    private readonly connection: pg.PoolClient,
    private readonly ended: Promise<void>,
  ) {}

  /** The connection, while the transaction holds it: a `tx` kept past its transaction must not reach someone else's. */
  private get client(): pg.PoolClient {
    if (!this.open) throw new Error('this transaction has ended: run statements on the Sql it was started from');
    return this.connection;
  }

  /** Called as the connection goes back to the pool. */
  close(): void {
    this.open = false;
  }

  async all<T>(sql: string, params?: Params): Promise<T[]> {
    return (await query<T>(this.client, sql, params)).rows;
  }

  async get<T>(sql: string, params?: Params): Promise<T | undefined> {
    return (await query<T>(this.client, sql, params)).rows[0];
  }

  async run(sql: string, params?: Params): Promise<RunResult> {
    return { changes: (await query(this.client, sql, params)).rowCount ?? 0 };
  }

  /** Runs a script of several statements as it is (no parameters, no rewriting): the migrations. */
  async exec(script: string): Promise<void> {
    await this.client.query(script);
  }

  /**
   * Nested: a savepoint, so a failure inside it (caught by the outer body) undoes only its own
   * statements and leaves the transaction usable; PostgreSQL would otherwise refuse every
   * statement after a failed one until the rollback.
   */
  async transaction<T>(fn: (tx: PostgresTransaction) => Promise<T>): Promise<T> {
    const savepoint = `sokoni_nested_${this.levels.length}`;
    await this.client.query(`SAVEPOINT ${savepoint}`);
    const level: Level = { after: [] };
    this.levels.push(level);
    try {
      const result = await fn(this);
      await this.client.query(`RELEASE SAVEPOINT ${savepoint}`);
      this.leave(level).after.push(...level.after);
      return result;
    } catch (error) {
      this.leave(level);
      try {
        await this.client.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
        await this.client.query(`RELEASE SAVEPOINT ${savepoint}`);
      } catch {
        // The connection broke: the whole transaction is lost, and its own ROLLBACK fails too and
        // drops the connection. The caller hears why the nested one failed, not this echo of it.
      }
      throw error;
    }
  }

  /** Pops `level` and returns the one it was nested in. */
  private leave(level: Level): Level {
    if (this.levels.at(-1) !== level) throw new Error('nested transactions on one transaction must run one after another, not at once');
    this.levels.pop();
    return this.levels.at(-1)!;
  }

  /** Settles when the transaction ends: resolves once it is committed, rejects if it rolls back. Never await it inside the body. */
  committed(): Promise<void> {
    return this.ended;
  }

  /** Runs `fn` after this transaction's COMMIT; never if it (or the nested transaction `fn` was given in) rolls back. */
  afterCommit(fn: () => void): void {
    this.levels.at(-1)!.after.push(fn);
  }

  /** What runs once the outermost transaction has committed. */
  takeAfterCommit(): (() => void)[] {
    return this.levels[0]!.after.splice(0);
  }
}

export class PostgresSql implements Sql {
  readonly dialect = 'postgres' as const;
  readonly inTransaction = false;

  /**
   * `pool` should be made with postgresPoolConfig, so that BIGINT and NUMERIC come back as numbers.
   * `onIdleError` hears of a pooled connection that broke while idle (the server restarted, a
   * network cut); the pool has already dropped it and the next statement opens a new one. pg
   * raises it as an 'error' event, which would end the process if nobody listened.
   */
  constructor(
    readonly pool: pg.Pool,
    onIdleError: (error: Error) => void = () => undefined,
  ) {
    pool.on('error', onIdleError);
  }

  /** A pool of its own on `connectionString` (postgres://…), with this port's type parsers. */
  static connect(connectionString: string, options: Omit<pg.PoolConfig, 'connectionString' | 'types'> = {}, onIdleError?: (error: Error) => void): PostgresSql {
    return new PostgresSql(new pg.Pool(postgresPoolConfig({ ...options, connectionString })), onIdleError);
  }

  async all<T>(sql: string, params?: Params): Promise<T[]> {
    return (await query<T>(this.pool, sql, params)).rows;
  }

  async get<T>(sql: string, params?: Params): Promise<T | undefined> {
    return (await query<T>(this.pool, sql, params)).rows[0];
  }

  async run(sql: string, params?: Params): Promise<RunResult> {
    return { changes: (await query(this.pool, sql, params)).rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: PostgresTransaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A connection that breaks while held is raised as an 'error' event, which would end the
    // process if nobody listened; the statement that was waiting on it rejects all the same.
    const onBroken = () => undefined;
    client.on('error', onBroken);
    let settle!: { resolve: () => void; reject: (error: unknown) => void };
    const ended = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    // Nobody need listen for a rollback: the caller hears it from this call.
    ended.catch(() => undefined);
    const tx = new PostgresTransaction(client, ended);
    const release = (broken?: Error) => {
      tx.close();
      client.off('error', onBroken);
      client.release(broken);
    };
    let result: T;
    try {
      await client.query('BEGIN');
      result = await fn(tx);
      await client.query('COMMIT');
    } catch (error) {
      settle.reject(error);
      try {
        await client.query('ROLLBACK');
        release();
      } catch (rollbackError) {
        // The connection is in an unknown state (broken, or still inside the transaction): the
        // pool must not hand it to anyone else.
        release(rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError)));
      }
      throw error;
    }
    release();
    settle.resolve();
    runAll(tx.takeAfterCommit());
    return result;
  }

  /** Every statement and transaction on the pool has committed by the time its promise resolves. */
  committed(): Promise<void> {
    return Promise.resolve();
  }

  afterCommit(fn: () => void): void {
    fn();
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}
