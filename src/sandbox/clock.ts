// The sandbox's notion of time: a base clock plus an offset the control API can advance, so token
// expiry and approval timeouts can be tested without waiting.
export class Clock {
  constructor(
    private readonly base: () => number = Date.now,
    private offsetMs = 0,
  ) {}

  now(): number {
    return this.base() + this.offsetMs;
  }

  get offset(): number {
    return this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}

/**
 * Real timers the sandbox owns (approval deadlines, callback retries, held requests), unref'd so
 * an embedded sandbox never keeps a process alive, and all cleared by `close()`.
 */
export class Timers {
  private readonly live = new Set<NodeJS.Timeout>();

  after(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.live.delete(timer);
      fn();
    }, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    timer.unref();
    this.live.add(timer);
    return timer;
  }

  cancel(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.live.delete(timer);
  }

  clearAll(): void {
    for (const timer of this.live) clearTimeout(timer);
    this.live.clear();
  }
}
