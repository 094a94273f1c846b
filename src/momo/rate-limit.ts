// Requests per second per key (a product), shared by every call of one client that uses this
// limiter. The client keeps two: one for status reads, which MoMo limits to 10 per second
// (momo-api.md §9) and answers 429 beyond, and one for creates (see client.ts).
//
// This is a token bucket in which each spent token comes back exactly one window after it
// was spent, rather than trickling back continuously: a classic bucket refilled at N/s lets
// 2N requests through in some one-second window (a full bucket, then the refill), this one
// never more than N. Waiters are served in arrival order per key.
//
// Tokens are also paced: at most `burstMs` ahead of an even spacing of window/N. Without it a
// saturated key hands out its N tokens in one burst per window (they were all spent together,
// so they all come back together), and a call that just misses a burst waits a whole window;
// paced, it waits one spacing (105 ms at 10/s).

export interface RateLimiterOptions {
  perSecond: number;
  now: () => number;
  /**
   * Added to the one-second window. Requests leave a few milliseconds after they are let
   * through and arrive after network jitter, so a little slack keeps MoMo's own one-second
   * count, taken on arrival, within the limit as well.
   */
  guardMs?: number;
}

interface Lane {
  /** When each token spent in the current window was spent, oldest first. */
  spent: number[];
  /** The even pace's next slot; tokens go out while it is at most `burstMs` away. */
  paceAt: number;
  waiting: (() => void)[];
  timer: NodeJS.Timeout | null;
}

export class RateLimiter {
  private readonly lanes = new Map<string, Lane>();
  private readonly windowMs: number;
  private readonly spacingMs: number;
  private readonly burstMs = 100;

  constructor(private readonly options: RateLimiterOptions) {
    if (!Number.isFinite(options.perSecond) || options.perSecond < 1) throw new RangeError('perSecond must be at least 1');
    this.windowMs = 1000 + (options.guardMs ?? 50);
    this.spacingMs = this.windowMs / options.perSecond;
  }

  /** Resolves when one more request for `key` may be sent. */
  acquire(key: string): Promise<void> {
    const lane = this.lane(key);
    return new Promise((resolve) => {
      lane.waiting.push(resolve);
      this.drain(lane);
    });
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { spent: [], paceAt: 0, waiting: [], timer: null };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private drain(lane: Lane): void {
    const now = this.options.now();
    while (lane.spent.length > 0 && lane.spent[0]! <= now - this.windowMs) lane.spent.shift();
    while (lane.waiting.length > 0 && lane.spent.length < this.options.perSecond && lane.paceAt <= now + this.burstMs) {
      lane.spent.push(now);
      lane.paceAt = Math.max(lane.paceAt, now) + this.spacingMs;
      lane.waiting.shift()!();
    }
    if (lane.waiting.length > 0 && lane.timer === null) {
      const windowWait = lane.spent.length >= this.options.perSecond ? lane.spent[0]! + this.windowMs - now : 0;
      const wait = Math.max(1, windowWait, lane.paceAt - this.burstMs - now);
      lane.timer = setTimeout(() => {
        lane.timer = null;
        this.drain(lane);
      }, wait);
    }
  }
}
