// MoMo's rate limits, per product: at most N status reads and M creates in any sliding one-second
// window (momo-api.md §9: 10 status reads a second is the documented figure; the create limit is
// not published, 50 is a guess a client should stay under). Each limit keeps the times of the last
// N admitted calls in a ring, so a check is O(1) and no burst at a window's edge gets through.
import type { Product } from './products';
import type { SandboxSettings } from './settings';

export type LimitedCall = 'statusRead' | 'create';

const WINDOW_MS = 1000;

class SlidingWindow {
  private readonly times: number[];
  private next = 0;

  constructor(readonly limit: number) {
    this.times = new Array<number>(limit).fill(-Infinity);
  }

  /** Admits a call at `now` if fewer than `limit` were admitted in the second before it. */
  admit(now: number): boolean {
    const oldest = this.times[this.next]!;
    if (now - oldest < WINDOW_MS) return false;
    this.times[this.next] = now;
    this.next = (this.next + 1) % this.limit;
    return true;
  }
}

export class RateLimits {
  /** `${product} ${call}` → its window, rebuilt when the setting changes. */
  private readonly windows = new Map<string, SlidingWindow>();

  constructor(private readonly settings: () => SandboxSettings) {}

  /** False when the call is over its product's limit; a limit of 0 is off. */
  admit(product: Product, call: LimitedCall, now: number): boolean {
    const s = this.settings();
    const limit = call === 'statusRead' ? s.statusReadsPerS : s.createsPerS;
    if (limit === 0) return true;
    const key = `${product} ${call}`;
    let window = this.windows.get(key);
    if (!window || window.limit !== limit) this.windows.set(key, (window = new SlidingWindow(limit)));
    return window.admit(now);
  }

  clear(): void {
    this.windows.clear();
  }
}
