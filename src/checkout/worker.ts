// The in-process worker that reads due payments and payouts. All of its state that matters is
// in the database (next_check_at), so a killed process resumes where it stopped; what lives
// here is only which rows this process is reading right now.
import type { DueItem } from '../db';
import type { CheckoutContext } from './context';
import { checkPayment, checkPayout } from './follow';

/** How long a row picked for a check is hidden from the next pick, in case the check dies. */
const leaseMs = 60_000;
/** The longest the worker sleeps, so rows written by another process are noticed too. */
const idleWakeMs = 1_000;

export class Worker {
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  /** When the sleeping worker will look next; null while it runs or is stopped. */
  private wakeAt: number | null = null;
  private running = false;
  private again = false;
  private stopped = true;
  private idle: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: CheckoutContext) {}

  start(): void {
    this.stopped = false;
    this.ctx.store.resumeUnconfirmed(this.ctx.clock(), leaseMs);
    this.poke();
  }

  /** Something may be due now (a callback arrived, or an order was placed): look at once. */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.arm(this.ctx.clock());
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

  /** Stops picking new work and waits for the reads in flight to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.wakeAt = null;
    await this.idle;
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.wakeAt = at;
    this.timer = setTimeout(() => void this.run(), Math.max(0, at - this.ctx.clock()));
  }

  private async run(): Promise<void> {
    this.timer = null;
    this.wakeAt = null;
    this.running = true;
    let finish!: () => void;
    this.idle = new Promise((resolve) => (finish = resolve));
    try {
      do {
        this.again = false;
        await this.drain();
      } while (this.again && !this.stopped);
    } catch (error) {
      this.ctx.log.error('worker.failed', { error });
    } finally {
      this.running = false;
      finish();
      this.sleep();
    }
  }

  /** Reads due rows, at most `concurrency` at a time, until none is due. */
  private async drain(): Promise<void> {
    const { concurrency } = this.ctx.settings;
    const active = new Set<Promise<void>>();
    while (!this.stopped) {
      // Only as many as there are free slots, picked afresh each time one frees: a row that
      // becomes due meanwhile (a callback, a new order) then waits for one read to finish, not
      // for a whole batch picked before it, which under MoMo's rate limit took seconds.
      const batch = this.pick(concurrency - active.size);
      if (batch.length === 0 && active.size === 0) break;
      for (const item of batch) {
        const task = this.check(item).finally(() => active.delete(task));
        active.add(task);
      }
      if (active.size > 0 && (batch.length === 0 || active.size >= concurrency)) await Promise.race(active);
    }
    await Promise.all(active);
  }

  private pick(limit: number): DueItem[] {
    const now = this.ctx.clock();
    const { store } = this.ctx;
    const items = store.due(now, limit).filter((item) => !this.inFlight.has(item.row.referenceId));
    store.transaction(() => {
      for (const item of items) {
        if (item.kind === 'payment') store.schedulePayment(item.row, now + leaseMs, false, now);
        else store.schedulePayout(item.row, now + leaseMs, false, now);
      }
    });
    return items;
  }

  private async check(item: DueItem): Promise<void> {
    const key = item.row.referenceId;
    this.inFlight.add(key);
    try {
      if (item.kind === 'payment') await checkPayment(this.ctx, item.row);
      else await checkPayout(this.ctx, item.row);
    } catch (error) {
      this.ctx.log.error('worker.check_failed', { kind: item.kind, orderId: item.row.orderId, error });
    } finally {
      this.inFlight.delete(key);
    }
  }

  private sleep(): void {
    if (this.stopped) return;
    const now = this.ctx.clock();
    const next = this.ctx.store.nextDueAt();
    this.arm(next === null ? now + idleWakeMs : Math.min(next, now + idleWakeMs));
  }
}
