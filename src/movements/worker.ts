// The in-process worker that sends and reads due movements. All of its state that matters is
// in the database (next_check_at, and the lease it takes on each row it works on), so a killed
// process resumes where it stopped; what lives here is only when to look next.
import { hostname } from 'node:os';
import type { WorkerSettings } from '../config';
import { DeadlineHeap } from '../deadline-heap';
import type { Movement, MovementStore, Sql } from '../db';
import type { Logger } from '../log';
import type { MovementEngine } from './engine';

/** How long a row taken for a step is hidden from the next pick, in case the step dies. */
export const leaseMs = 60_000;
/**
 * The longest the worker goes without looking, asleep or busy, so rows made due by another
 * process are noticed too. On PostgreSQL it bounds how late this instance sees a row that
 * another instance's callback made due (nothing here hears of it; that instance's own worker,
 * poked by the callback, usually takes it first).
 */
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
  /**
   * When a pick may next find something (issue #16). A pick that found fewer rows than it had
   * slots for took everything due; picking again after every step, as the worker did, mostly
   * found nothing. So the next pick waits for what can make a row due: a poke (a callback's
   * markDueNow, a new movement), a step that ended with its next check at or before now, a
   * check this process scheduled coming due (`scheduled`), or idleWakeMs since the last pick.
   * -Infinity: at once (the last pick was full, or something may have become due since).
   */
  private pickBy = -Infinity;
  /** Next checks this process scheduled (wakeBy), for the time the next pick is worth making. */
  private readonly scheduled = new DeadlineHeap<null>();
  /** Ends a draining worker's wait for its steps early: a pick may be due sooner than it planned. */
  private nudge: (() => void) | null = null;

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
      this.pickSoon(-Infinity);
      return;
    }
    this.arm(this.deps.clock());
  }

  /**
   * A check was scheduled for `at` (a step or a send ended). A draining worker picks once it is
   * due; a sleeping one wakes for it if it planned to sleep past it.
   */
  wakeBy(at: number): void {
    if (this.stopped) return;
    if (at > this.deps.clock()) this.scheduled.push(at, null);
    if (this.running) this.pickSoon(at);
    else this.wakeSleeping(at);
  }

  private wakeSleeping(at: number): void {
    if (this.stopped || this.running) return;
    if (this.wakeAt !== null && this.wakeAt <= at) return;
    this.arm(at);
  }

  private pickSoon(at: number): void {
    if (at >= this.pickBy) return;
    this.pickBy = at;
    this.nudge?.();
  }

  /** Stops picking new work and waits for the steps in flight to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.wakeAt = null;
    this.nudge?.();
    await this.idle;
    this.scheduled.clear();
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
    // Woken by a poke, a due time or the idle wake: whatever is due now is worth a pick.
    this.pickBy = -Infinity;
    try {
      // Something heard between the drain's last look and its end (a poke) makes it look again.
      do await this.drain();
      while (!this.stopped && this.mayBeDue());
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
      const free = concurrency - active.size;
      if (free > 0 && this.mayBeDue()) {
        for (const movement of await this.pick(free)) {
          const task = this.check(movement).finally(() => active.delete(task));
          active.add(task);
        }
        continue;
      }
      if (active.size === 0) break;
      await this.stepOrPickDue(active, free > 0);
    }
    await Promise.all(active);
  }

  /** Whether a pick is worth making: one is due (`pickBy`), or steps that died on the database here wait to be freed. */
  private mayBeDue(): boolean {
    return this.orphaned.size > 0 || this.deps.clock() >= this.pickBy;
  }

  /** Waits until a step ends or, while a slot is free, a pick is due (a nudge, or the time `pickBy` comes). */
  private async stepOrPickDue(active: Set<Promise<void>>, slotFree: boolean): Promise<void> {
    if (!slotFree) {
      await Promise.race(active);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const due = new Promise<void>((resolve) => {
      this.nudge = resolve;
      timer = setTimeout(resolve, Math.max(0, this.pickBy - this.deps.clock()));
    });
    try {
      await Promise.race([...active, due]);
    } finally {
      this.nudge = null;
      clearTimeout(timer);
    }
  }

  private async pick(limit: number): Promise<Movement[]> {
    const { store, clock, holder } = this.deps;
    const now = clock();
    if (this.orphaned.size > 0) {
      await store.release([...this.orphaned], holder, now);
      this.orphaned.clear();
    }
    // Set before the pick, so a poke or a due time heard while it runs still stands after it.
    while (this.scheduled.popDue(now));
    this.pickBy = Math.min(now + idleWakeMs, this.scheduled.peek()?.at ?? Infinity);
    const youngSince = now - this.deps.settings.approvalWindowS * 1000;
    const picked = await store.pick(now, limit, youngSince, { holder, until: now + leaseMs });
    // A full pick may have left more behind: the next free slot picks again.
    if (picked.length >= limit) this.pickBy = -Infinity;
    return picked;
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
      this.wakeSleeping(now + Math.min(idleWakeMs * 2 ** (this.failures - 1), maxFailingBackoffMs));
      return;
    }
    const next = await this.readNextDue();
    this.wakeSleeping(next === null ? now + idleWakeMs : Math.min(next, now + idleWakeMs));
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
