// The in-process worker that sends and reads due movements. All of its state that matters is
// in the database (next_check_at, and the lease it takes on each row it works on), so a killed
// process resumes where it stopped; what lives here is only when to look next.
import { hostname } from 'node:os';
import type { WorkerSettings } from '../config';
import type { Movement, MovementStore, Sql } from '../db';
import type { Logger } from '../log';
import type { MovementEngine } from './engine';

/** How long a row taken for a step is hidden from the next pick, in case the step dies. */
export const leaseMs = 60_000;
/** The longest the worker sleeps, so rows written by another process are noticed too. */
const idleWakeMs = 1_000;
/** While the database fails (disk full, locked by another process), the worker backs off to this. */
const maxFailingBackoffMs = 30_000;

export interface WorkerHealth {
  state: 'ok' | 'failing';
  /** Since when it has been failing, or null. */
  failingSince: number | null;
  /** How long the oldest due step has been waiting (0 when none is overdue). */
  lagMs: number;
  /** Runs that failed on the database since the worker was made, for /metrics. */
  databaseErrors: number;
}

/** The database, and whether its executor can group a turn's writes into one commit (SQLite's: db/group-commit.ts). */
export type WorkerSql = Sql & { groupCommits?(on: boolean): void };

export interface WorkerDeps {
  sql: WorkerSql;
  engine: MovementEngine;
  store: MovementStore;
  settings: WorkerSettings;
  log: Logger;
  clock: () => number;
  holder: string;
}

/**
 * Whether a lease's holder (`host:pid:…`, checkout/index.ts) was a process on this machine that no
 * longer runs: an instance restarted after a crash or a kill frees its own old leases at once
 * instead of waiting for them to run out. A holder on another machine, or whose process is
 * still there, keeps its leases until they end.
 */
export function holderIsGone(holder: string): boolean {
  const [host, pidText] = holder.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export class Worker {
  private timer: NodeJS.Timeout | null = null;
  /** When the sleeping worker will look next; null while it runs or is stopped. */
  private wakeAt: number | null = null;
  private running = false;
  private again = false;
  private stopped = true;
  private idle: Promise<void> = Promise.resolve();
  /** Runs in a row that failed on a local error (the database), for the backoff. */
  private failures = 0;
  private failingSince: number | null = null;
  private databaseErrors = 0;
  /** A step failed in this run: its error, for the one log line. */
  private stepError: unknown = null;
  /** Rows whose step failed here: they still hold this process's lease until it is released. */
  private readonly orphaned = new Set<number>();
  /** The earliest next check as last read (going to sleep, or for health), for the lag. */
  private nextDue: number | null = null;

  constructor(private readonly deps: WorkerDeps) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.deps.store.resume(this.deps.clock(), holderIsGone);
    // While serving, the writes of one turn share a commit (db/group-commit.ts).
    this.deps.sql.groupCommits?.(true);
    this.poke();
  }

  /** Something may be due now (a callback arrived, or an order was placed): look at once. */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.arm(this.deps.clock());
  }

  /**
   * A check was scheduled for `at`. While draining, the worker reads the next due time from the
   * database when it finishes, so only a sleeping worker may need to wake earlier.
   */
  wakeBy(at: number): void {
    if (this.stopped || this.running) return;
    if (this.wakeAt !== null && this.wakeAt <= at) return;
    this.arm(at);
  }

  /** Stops picking new work and waits for the steps in flight to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.wakeAt = null;
    await this.idle;
    // What the last turn wrote is committed before whoever stopped us closes the database.
    this.deps.sql.groupCommits?.(false);
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.wakeAt = at;
    this.timer = setTimeout(() => void this.run(), Math.max(0, at - this.deps.clock()));
  }

  private async run(): Promise<void> {
    this.timer = null;
    this.wakeAt = null;
    this.running = true;
    let finish!: () => void;
    this.idle = new Promise((resolve) => (finish = resolve));
    this.stepError = null;
    try {
      do {
        this.again = false;
        await this.drain();
      } while (this.again && !this.stopped);
      if (this.stepError !== null) this.failed(this.stepError);
      else this.succeeded();
    } catch (error) {
      this.failed(error);
    } finally {
      this.running = false;
      finish();
      void this.sleep();
    }
  }

  /** Logged once when it starts failing, not on every try: a full disk must not flood the log. */
  private failed(error: unknown): void {
    if (this.failingSince === null) {
      this.failingSince = this.deps.clock();
      this.deps.log.error('worker.failing', { error });
    }
    this.failures++;
    this.databaseErrors++;
  }

  private succeeded(): void {
    if (this.failingSince !== null) {
      this.deps.log.info('worker.recovered', { failedForS: Math.round((this.deps.clock() - this.failingSince) / 1000) });
      this.failingSince = null;
    }
    this.failures = 0;
  }

  /** Works on due rows, at most `concurrency` at a time, until none is due. */
  private async drain(): Promise<void> {
    const { concurrency } = this.deps.settings;
    const active = new Set<Promise<void>>();
    while (!this.stopped) {
      // Only as many as there are free slots, picked afresh each time one frees: a row that
      // becomes due meanwhile (a callback, a new order) then waits for one step to finish, not
      // for a whole batch picked before it, which under MoMo's rate limit took seconds.
      const batch = await this.pick(concurrency - active.size);
      if (batch.length === 0 && active.size === 0) break;
      for (const movement of batch) {
        const task = this.check(movement).finally(() => active.delete(task));
        active.add(task);
      }
      if (active.size > 0 && (batch.length === 0 || active.size >= concurrency)) await Promise.race(active);
    }
    await Promise.all(active);
  }

  private async pick(limit: number): Promise<Movement[]> {
    if (limit <= 0) return [];
    const { store, clock, holder } = this.deps;
    const now = clock();
    // Steps that died on the database here are due again as soon as it answers.
    if (this.orphaned.size > 0) {
      await store.release([...this.orphaned], holder, now);
      this.orphaned.clear();
    }
    const youngSince = now - this.deps.settings.approvalWindowS * 1000;
    return store.pick(now, limit, youngSince, { holder, until: now + leaseMs });
  }

  private async check(movement: Movement): Promise<void> {
    try {
      await this.deps.engine.check(movement);
    } catch (error) {
      // The engine handles every provider outcome itself: what reaches here is local (the
      // database), and the run backs off like a failed pick.
      this.orphaned.add(movement.id);
      this.stepError = error;
    }
  }

  /**
   * Arms the next look once it knows when the next check is due. Whatever armed an earlier look
   * meanwhile (a poke) stands, and so does a run that has started: it sleeps again when it ends.
   */
  private async sleep(): Promise<void> {
    if (this.stopped) return;
    const now = this.deps.clock();
    if (this.failures > 0) {
      // Back off exponentially while the database fails; a poke still looks at once.
      this.wakeBy(now + Math.min(idleWakeMs * 2 ** (this.failures - 1), maxFailingBackoffMs));
      return;
    }
    const next = await this.readNextDue();
    this.wakeBy(next === null ? now + idleWakeMs : Math.min(next, now + idleWakeMs));
  }

  private async readNextDue(): Promise<number | null> {
    try {
      this.nextDue = await this.deps.store.nextDueAt();
    } catch {
      // The database cannot be read: the worker's state says so.
      this.nextDue = null;
    }
    return this.nextDue;
  }

  /**
   * For /readyz and /metrics, which must not wait: whether the worker is failing, and how far
   * behind it is as of the last read of the next due check (each call reads it again for the next).
   */
  health(): WorkerHealth {
    const now = this.deps.clock();
    const next = this.nextDue;
    void this.readNextDue();
    const lagMs = next !== null && next > 0 && next < now ? now - next : 0;
    return { state: this.failingSince === null ? 'ok' : 'failing', failingSince: this.failingSince, lagMs, databaseErrors: this.databaseErrors };
  }
}
