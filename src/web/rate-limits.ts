// Per-address rate limits on the routes that cost something: POST /pay (and the order page's
// "try again" and "check again", which reach MoMo too) starts a MoMo request, and /callback
// starts a status check. Refused before the body is read.
//
// One fixed-window counter per client address in a Map, used by both lanes: the Express routes
// (the router below, the callback router) and the hot routes (hot-routes.ts) count in the same
// buckets. It replaces express-rate-limit, whose draft-8 headers hashed a partition key with
// sha256 on every request (issue #16): an allowed request now costs a Map lookup and carries no
// RateLimit headers; a refusal carries them, as the README promises, with Retry-After.
import type { ServerResponse } from 'node:http';
import express, { type RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Config } from '../config';
import { ApiError } from './errors';

const minute = 60_000;

interface Window {
  hits: number;
  /** When this address's window ends (ms since the epoch). */
  endsAt: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private nextSweepAt: number;
  private readonly policy: string;

  constructor(
    readonly limit: number,
    private readonly windowMs: number,
    private readonly message: string,
    private readonly now: () => number = Date.now,
  ) {
    this.nextSweepAt = now() + windowMs;
    const name = `"${limit}-in-${windowMs / minute}min"`;
    this.policy = `${name}; q=${limit}; w=${Math.ceil(windowMs / 1000)}`;
  }

  /**
   * Counts one request from the client at `ip` (its address after TRUST_PROXY, client-address.ts;
   * an IPv6 client by its /56, as express-rate-limit did). Returns the refusal when it is over
   * the limit, with its headers set on `res`; undefined when it may go on.
   */
  take(ip: string, res: ServerResponse): ApiError | undefined {
    const now = this.now();
    // Expired windows are dropped once a window, so an address that went away costs nothing.
    if (now >= this.nextSweepAt) this.sweep(now);
    const key = ip.includes(':') ? ipKeyGenerator(ip) : ip;
    let window = this.windows.get(key);
    if (!window || now >= window.endsAt) {
      window = { hits: 0, endsAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.hits += 1;
    if (window.hits <= this.limit) return undefined;
    const resetS = Math.max(0, Math.ceil((window.endsAt - now) / 1000));
    res.setHeader('RateLimit-Policy', this.policy);
    res.setHeader('RateLimit', `${this.policy.slice(0, this.policy.indexOf(';'))}; r=0; t=${resetS}`);
    res.setHeader('Retry-After', String(resetS));
    return new ApiError(429, 'too_many_requests', this.message);
  }

  /** How many addresses it holds a window for. */
  get size(): number {
    return this.windows.size;
  }

  /** As Express middleware; the refusal goes through the app's error handler (its JSON shape, or the page for a browser). */
  middleware(): RequestHandler {
    return (req, res, next) => next(this.take(req.ip ?? '', res));
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (now >= window.endsAt) this.windows.delete(key);
    this.nextSweepAt = now + this.windowMs;
  }
}

export interface RateLimits {
  pay: RateLimiter;
  callback: RateLimiter;
}

export function createRateLimits(config: Pick<Config, 'payRateLimitPerMin' | 'callbackRateLimitPerMin'>): RateLimits {
  return {
    pay: new RateLimiter(config.payRateLimitPerMin, minute, 'Too many payment requests from this address; wait a minute and try again.'),
    callback: new RateLimiter(config.callbackRateLimitPerMin, minute, 'Too many callbacks from this address.'),
  };
}

/** The payment limit on the Express lane: mounted before the body parsers, so a refused request is not even read. */
export function createRateLimitRouter(limits: RateLimits): express.Router {
  const router = express.Router();
  router.post(['/pay', '/orders/:id/retry', '/orders/:id/check'], limits.pay.middleware());
  return router;
}
