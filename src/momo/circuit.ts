// One circuit per product, so an ailing Collection API does not stop payouts through
// Disbursement. After `threshold` consecutive outages (no answer, timeout, or a 5xx that is not
// about the request itself) calls fail at once with CIRCUIT_OPEN instead of piling up on a
// service that is down; after the cool-down a single call goes through as a probe and its
// outcome closes or re-opens the circuit. `health()` tells the outside (a worker deciding when to
// try again, a readiness check) without calling anything.
import { MomoError } from './errors';
import type { CircuitHealth, CircuitState } from './types';

export interface CircuitOptions {
  threshold: number;
  cooldownMs: number;
  /** Monotonic: cool-downs are real elapsed time, whatever the wall clock does. */
  now: () => number;
  /** The clock `retryAt` is given in (epoch milliseconds). */
  wallClock: () => number;
}

/** Handed out by `enter`; a probe's outcome decides the state, other calls just count. */
export interface Permit {
  probe: boolean;
}

export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;

  constructor(
    private readonly name: string,
    private readonly options: CircuitOptions,
  ) {}

  /** Throws CIRCUIT_OPEN, carrying when to come back, when the call must not go out. */
  enter(operation: string, referenceId: string | null): Permit {
    if (this.state === 'closed') return { probe: false };
    if (this.state === 'open' && this.options.now() - this.openedAt >= this.options.cooldownMs) {
      this.state = 'half_open';
      return { probe: true };
    }
    const retryInMs = this.retryInMs();
    throw new MomoError({
      status: null,
      code: 'CIRCUIT_OPEN',
      message: `${this.name} is failing; calls are paused${this.state === 'half_open' ? ' while a probe runs' : ` for ${Math.ceil(retryInMs)} ms`}`,
      operation,
      referenceId,
      retryable: true,
      retryAt: this.options.wallClock() + retryInMs,
    });
  }

  /**
   * The state as the next call would meet it, cheaply. `retryAt` is when a probe will be let
   * through: for `open`, the end of the cool-down (already past when one may go now); for
   * `half_open`, a probe is out, and should it fail no call goes before `retryAt`.
   */
  health(): CircuitHealth {
    if (this.state === 'closed') return { state: 'closed', retryAt: null };
    return { state: this.state, retryAt: this.options.wallClock() + this.retryInMs() };
  }

  private retryInMs(): number {
    // A failing probe re-opens the circuit for a whole cool-down from when it ends, so from
    // now on is the least it can be.
    if (this.state === 'half_open') return this.options.cooldownMs;
    return Math.max(0, this.openedAt + this.options.cooldownMs - this.options.now());
  }

  /** Every permit must be returned, with whether its call met an outage. */
  leave(permit: Permit, outage: boolean): void {
    if (permit.probe) {
      if (outage) this.open();
      else this.close();
      return;
    }
    // Calls that started before the circuit opened may finish while it is open or probing;
    // only the probe may change the state then.
    if (this.state !== 'closed') return;
    if (!outage) {
      this.failures = 0;
      return;
    }
    this.failures += 1;
    if (this.failures >= this.options.threshold) this.open();
  }

  private open(): void {
    this.state = 'open';
    this.openedAt = this.options.now();
    this.failures = 0;
  }

  private close(): void {
    this.state = 'closed';
    this.failures = 0;
  }
}
