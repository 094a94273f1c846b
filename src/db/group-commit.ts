// Group commit: the hot path's writes of one turn of the event loop share one SQLite commit.
//
// Every commit writes each page it changed to the WAL in full, and an order's rows sit in the
// same few pages as every other order's (the right-most leaves of each table and index). Under
// load, one turn of the event loop handles many orders' steps; committed one by one, the same
// hot pages were written again for each step (about 95 pages, 380 KB, per order at ten commits),
// and the WAL filled and was checkpointed a dozen times a second. Committed together, each hot
// page is written once per turn.
//
// How it stays safe: each `write` is atomic on its own (a savepoint inside the turn's
// transaction: it lands whole or not at all), and nothing that depends on a write leaves the
// process before it is committed: the engine sends a create only once `committed()` has
// resolved (the reference is durable before the request leaves), order changes are announced
// through `afterCommit`, and answers wait for `committed()` or commit at once (`commitNow`).
// The transaction is never held across I/O: it opens with the turn's first write and commits in
// that same turn (setImmediate), so the write lock is held no longer than before, and a write
// that meets another process's lock still fails at once (BEGIN IMMEDIATE, busy timeout 0).
import type { Database, Statement } from 'better-sqlite3';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  /** Off: each write commits at once, as a plain transaction (commands, tests, start-up). */
  private grouping = false;
  /** This group opened the connection's transaction and will commit it. */
  private open = false;
  /** Steps running now: a write inside another is part of it, and needs no savepoint of its own. */
  private depth = 0;
  /** The turn's commit came due while a step was running; it happens when the step ends. */
  private commitDue = false;
  private waiters: Waiter[] = [];
  private after: (() => void)[] = [];
  /** The running async steps' afterCommit callbacks, innermost last. */
  private steps: (() => void)[][] = [];
  private readonly s: Record<'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo', Statement>;

  constructor(private readonly db: Database) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      begin: p('BEGIN IMMEDIATE'),
      commit: p('COMMIT'),
      rollback: p('ROLLBACK'),
      savepoint: p('SAVEPOINT sokoni_step'),
      release: p('RELEASE sokoni_step'),
      rollbackTo: p('ROLLBACK TO sokoni_step'),
    };
  }

  /**
   * Turns grouping on (a serving process's worker) or off; off commits what is open first, so
   * whoever stops the worker can close the database.
   */
  setGrouping(on: boolean): void {
    if (!on) this.commitNow();
    this.grouping = on;
  }

  /** Runs `fn` atomically; while grouping, its writes are committed with the rest of this turn's. */
  write<T>(fn: () => T): T {
    return this.grouped(fn, true);
  }

  /**
   * As `write`, for `fn` that runs exactly one statement: SQLite makes a single statement atomic
   * on its own (a failed one leaves nothing), so inside the turn's transaction it needs no
   * savepoint, two statements fewer (a callback's mark runs twice per order).
   */
  writeOne<T>(fn: () => T): T {
    return this.grouped(fn, false);
  }

  /**
   * As `write`, for a step whose statements are awaited (the `Sql` port's transactions). The
   * caller makes sure no other step starts on this connection until it ends (sqlite-sql.ts), and
   * a commit that comes due meanwhile waits for it.
   */
  async writeAsync<T>(fn: () => Promise<T>): Promise<T> {
    // Nested in a running step: a savepoint of its own, so a nested step that fails takes back
    // only its own statements (as PostgreSQL's nested transactions do).
    if (this.steps.length > 0) return this.stepAsync(fn, false);
    if (this.depth > 0) return fn();
    if (!this.open) {
      if (this.db.inTransaction) return this.stepAsync(fn, false);
      if (!this.grouping) return this.stepAsync(fn, true);
      this.s.begin.run();
      this.open = true;
      setImmediate(() => this.commitNow());
    } else if (!this.db.inTransaction) {
      this.fail(new Error('the transaction was rolled back by SQLite'));
      return this.writeAsync(fn);
    }
    return this.stepAsync(fn, false);
  }

  /**
   * Runs `fn` as one step: a transaction of its own (`alone`: BEGIN…COMMIT) or a savepoint in the
   * open one. What the step registers with `afterStep` runs once the step is committed: at its
   * COMMIT when alone, else with the enclosing step or the turn's commit; never if it rolls back.
   */
  private async stepAsync<T>(fn: () => Promise<T>, alone: boolean): Promise<T> {
    this.s[alone ? 'begin' : 'savepoint'].run();
    this.depth++;
    const callbacks: (() => void)[] = [];
    this.steps.push(callbacks);
    let result: T;
    try {
      result = await fn();
      this.s[alone ? 'commit' : 'release'].run();
      this.steps.pop();
    } catch (error) {
      this.steps.pop();
      if (this.db.inTransaction) {
        if (alone) {
          this.s.rollback.run();
        } else {
          this.s.rollbackTo.run();
          this.s.release.run();
        }
      }
      throw error;
    } finally {
      this.leaveStep();
    }
    const outer = this.steps.at(-1);
    if (outer) outer.push(...callbacks);
    else if (this.open) this.after.push(...callbacks);
    else runAll(callbacks);
    return result;
  }

  /** `afterCommit` for the running async step: dropped if the step rolls back. */
  afterStep(fn: () => void): void {
    const callbacks = this.steps.at(-1);
    if (callbacks) callbacks.push(fn);
    else this.afterCommit(fn);
  }

  /** Ends a step; the turn's commit, if it came due while the step was awaiting, happens now. */
  private leaveStep(): void {
    this.depth--;
    if (this.depth === 0 && this.commitDue) {
      this.commitDue = false;
      this.commitNow();
    }
  }

  private grouped<T>(fn: () => T, savepoint: boolean): T {
    if (this.depth > 0) return fn();
    if (!this.open) {
      // Inside someone else's transaction (a caller's own db.transaction): nest in it, and it commits.
      if (this.db.inTransaction) return savepoint ? this.step(fn) : this.nested(fn);
      if (!this.grouping) return this.alone(fn);
      this.s.begin.run();
      this.open = true;
      setImmediate(() => this.commitNow());
    } else if (!this.db.inTransaction) {
      // SQLite rolled the turn's transaction back on its own (a full disk, an I/O error): what
      // it held is lost, and whoever waits on it must hear so before anything new begins.
      this.fail(new Error('the transaction was rolled back by SQLite'));
      return this.grouped(fn, savepoint);
    }
    return savepoint ? this.step(fn) : this.nested(fn);
  }

  private nested<T>(fn: () => T): T {
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  private alone<T>(fn: () => T): T {
    this.s.begin.run();
    this.depth++;
    try {
      const result = fn();
      this.s.commit.run();
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.s.rollback.run();
      throw error;
    } finally {
      this.depth--;
    }
  }

  private step<T>(fn: () => T): T {
    this.s.savepoint.run();
    this.depth++;
    try {
      const result = fn();
      this.s.release.run();
      return result;
    } catch (error) {
      if (this.db.inTransaction) {
        this.s.rollbackTo.run();
        this.s.release.run();
      }
      throw error;
    } finally {
      this.depth--;
    }
  }

  /** Resolves once every write made so far is committed (at once when none waits); rejects if that commit fails. */
  committed(): Promise<void> {
    if (!this.open) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Runs `fn` once every write made so far is committed; never, if that commit fails. */
  afterCommit(fn: () => void): void {
    if (this.open) this.after.push(fn);
    else fn();
  }

  /** Commits the turn's writes now, e.g. before an answer that must not precede them. */
  commitNow(): void {
    if (!this.open) return;
    // A step is half done (it awaits its next statement): committing now would commit half of it.
    if (this.depth > 0) {
      this.commitDue = true;
      return;
    }
    try {
      if (!this.db.inTransaction) throw new Error('the transaction was rolled back by SQLite');
      this.s.commit.run();
    } catch (error) {
      this.fail(error);
      return;
    }
    this.open = false;
    const { waiters, after } = this;
    this.waiters = [];
    this.after = [];
    for (const waiter of waiters) waiter.resolve();
    runAll(after);
  }

  private fail(error: unknown): void {
    this.open = false;
    try {
      if (this.db.inTransaction) this.s.rollback.run();
    } catch {
      // SQLite has already given up the transaction; the waiters hear the first error.
    }
    const { waiters } = this;
    this.waiters = [];
    this.after = [];
    for (const waiter of waiters) waiter.reject(error);
  }
}

/**
 * Runs every after-commit callback, each even if one before it throws; a throw is a defect, so it
 * is raised, not swallowed. Both executors run their callbacks this way.
 */
export function runAll(callbacks: readonly (() => void)[]): void {
  let thrown: { error: unknown } | null = null;
  for (const fn of callbacks) {
    try {
      fn();
    } catch (error) {
      thrown ??= { error };
    }
  }
  if (thrown) throw thrown.error;
}

const groups = new WeakMap<Database, GroupCommit>();

/** The connection's one group: every store on it must share it, or one would commit the other's writes. */
export function groupCommit(db: Database): GroupCommit {
  let group = groups.get(db);
  if (!group) groups.set(db, (group = new GroupCommit(db)));
  return group;
}
