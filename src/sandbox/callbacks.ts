// Callback delivery: the final state, with exactly the status GET's body, once, to the
// X-Callback-Url of the creating call. Most MTN pages say "once, no retry"; one newer snapshot
// describes a retry schedule (momo-api.md §7, §10.2). Once is the default, the schedule is
// selected by `callbackRetries`. A failing listener never throws out of here.
import type { Timers } from './clock';
import type { SandboxSettings } from './settings';

export interface CallbackState {
  url: string;
  method: 'POST' | 'PUT';
  attempts: number;
  delivered: boolean;
  /** The dropCallback fault swallowed it: nothing was sent. */
  dropped: boolean;
  lastStatus: number | null;
  lastError: string | null;
}

/** Each attempt is given 2 s, as MTN's retry description says. */
export const ATTEMPT_TIMEOUT_MS = 2000;

/**
 * MTN: 20 retries 1 s apart, then 30 every 2 minutes, then hourly "until unblocked"; the hourly
 * phase is cut at one day here so that nothing in the sandbox lives for ever.
 */
export const RETRY_DELAYS_MS: readonly number[] = [
  ...Array<number>(20).fill(1000),
  ...Array<number>(30).fill(120_000),
  ...Array<number>(24).fill(3_600_000),
];

export class Callbacks {
  private closed = false;

  constructor(
    private readonly settings: () => SandboxSettings,
    private readonly timers: Timers,
    private readonly drop: (operation: string) => boolean,
  ) {}

  /** `method` from the setting: `auto` is POST for v1_0 operations and PUT for v2_0 ones (§7). */
  methodFor(version: 'v1_0' | 'v2_0'): 'POST' | 'PUT' {
    const configured = this.settings().callbackMethod;
    if (configured !== 'auto') return configured;
    return version === 'v2_0' ? 'PUT' : 'POST';
  }

  send(state: CallbackState, body: unknown, operation: string): void {
    if (this.closed) return;
    if (this.drop(operation)) {
      state.dropped = true;
      return;
    }
    const retries = this.settings().callbackRetries ? RETRY_DELAYS_MS : [];
    void this.attempt(state, JSON.stringify(body), retries, 0);
  }

  private async attempt(state: CallbackState, payload: string, retries: readonly number[], next: number): Promise<void> {
    state.attempts++;
    try {
      const response = await fetch(state.url, {
        method: state.method,
        headers: { 'Content-Type': 'application/json' },
        body: payload,
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      state.lastStatus = response.status;
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) {
        state.delivered = true;
        state.lastError = null;
        return;
      }
      state.lastError = `HTTP ${response.status}`;
    } catch (e) {
      state.lastError = (e as Error).message || String(e);
    }
    const delay = retries[next];
    if (delay !== undefined && !this.closed) {
      this.timers.after(delay, () => void this.attempt(state, payload, retries, next + 1));
    }
  }

  close(): void {
    this.closed = true;
  }
}
