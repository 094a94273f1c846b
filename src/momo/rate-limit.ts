// Requests per second per key (a product), shared by every call of one client that uses this
// limiter. The client keeps two: one for status reads, which MoMo limits to 10 per second
// (momo-api.md §9) and answers 429 beyond, and one for creates (see client.ts).
//
// MoMo counts requests when they arrive, and arrival is somewhere between when a request is let
// through and when its answer comes back: a request on a fresh connection (or a slow TLS
// handshake) arrives later than one on a warm connection let through after it. So each token is
// held while its exchange is out and comes back one window after the exchange ended. Any N+1
// requests arriving within one second would then have all held a token at the same moment (each
// was let through before the last arrived and holds its token until a window after its own
// arrival), which N tokens forbid: never more than N in any one-second window, as MoMo sees it,
// however the network delays them. A classic bucket refilled at N/s lets 2N through in some
// window (a full bucket, then the refill). Waiters are served in arrival order per key.
//
// Tokens are also paced: at most `burstMs` ahead of an even spacing of window/N. Without it a
// saturated key hands out its N tokens in one burst per window (they all come back together),
// and a call that just misses a burst waits a whole window; paced, it waits one spacing.

export interface RateLimiterOptions {
  perSecond: number;
  now: () => number;
  /** Added to the one-second window, for the difference between MoMo's clock and ours. */
  guardMs?: number;
}

/** Hands the token back; call it once the exchange has ended, whatever its outcome. */
export type ReleaseToken = () => void;

interface Lane {
  /** Tokens whose exchange is still out. */
  held: number;
  /** When each returned token's exchange ended, oldest first; each is spent for one window after. */
  ended: number[];
  /** The even pace's next slot; tokens go out while it is at most `burstMs` away. */
  paceAt: number;
  waiting: ((release: ReleaseToken) => void)[];
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

  /** Resolves when one more request for `key` may be sent, with the function that returns its token. */
  acquire(key: string): Promise<ReleaseToken> {
    const lane = this.lane(key);
    return new Promise((resolve) => {
      lane.waiting.push(resolve);
      this.drain(lane);
    });
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { held: 0, ended: [], paceAt: 0, waiting: [], timer: null };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private release(lane: Lane): ReleaseToken {
    let returned = false;
    return () => {
      if (returned) return;
      returned = true;
      lane.held -= 1;
      lane.ended.push(this.options.now());
      this.drain(lane);
    };
  }

  private drain(lane: Lane): void {
    const now = this.options.now();
    while (lane.ended.length > 0 && lane.ended[0]! <= now - this.windowMs) lane.ended.shift();
    while (lane.waiting.length > 0 && lane.held + lane.ended.length < this.options.perSecond && lane.paceAt <= now + this.burstMs) {
      lane.held += 1;
      lane.paceAt = Math.max(lane.paceAt, now) + this.spacingMs;
      lane.waiting.shift()!(this.release(lane));
    }
    if (lane.waiting.length === 0 || lane.timer !== null) return;
    const full = lane.held + lane.ended.length >= this.options.perSecond;
    // All tokens out on exchanges: the first to end calls drain again.
    if (full && lane.ended.length === 0) return;
    const windowWait = full ? lane.ended[0]! + this.windowMs - now : 0;
    const wait = Math.max(1, windowWait, lane.paceAt - this.burstMs - now);
    lane.timer = setTimeout(() => {
      lane.timer = null;
      this.drain(lane);
    }, wait);
  }
}
