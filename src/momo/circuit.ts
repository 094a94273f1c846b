// One circuit per product, so an ailing Collection API does not stop payouts through
// Disbursement. After `threshold` consecutive outages (no answer, timeout, or a 5xx that is not
// about the request itself) calls fail at once with CIRCUIT_OPEN instead of piling up on a
// service that is down; after the cool-down a single call goes through as a probe and its
// outcome closes or re-opens the circuit.
import { MomoError } from './errors';

export interface CircuitOptions {
  threshold: number;
  cooldownMs: number;
  now: () => number;
}

type State = 'closed' | 'open' | 'half-open';

/** Handed out by `enter`; a probe's outcome decides the state, other calls just count. */
export interface Permit {
  probe: boolean;
}

export class CircuitBreaker {
  private state: State = 'closed';
  private failures = 0;
  private openedAt = 0;

  constructor(
    private readonly name: string,
    private readonly options: CircuitOptions,
  ) {}

  /** Throws CIRCUIT_OPEN when the call must not go out. */
  enter(operation: string, referenceId: string | null): Permit {
    if (this.state === 'closed') return { probe: false };
    if (this.state === 'open' && this.options.now() - this.openedAt >= this.options.cooldownMs) {
      this.state = 'half-open';
      return { probe: true };
    }
    const retryInMs = Math.max(0, this.openedAt + this.options.cooldownMs - this.options.now());
    throw new MomoError({
      status: null,
      code: 'CIRCUIT_OPEN',
      message: `${this.name} is failing; calls are paused${this.state === 'half-open' ? ' while a probe runs' : ` for ${retryInMs} ms`}`,
      operation,
      referenceId,
      retryable: true,
    });
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
