// Callback delivery: the final state, with exactly the status GET's body, once, to the
// X-Callback-Url of the creating call. Most MTN pages say "once, no retry"; one newer snapshot
// describes a retry schedule (momo-api.md §7, §10.2). Once is the default, the schedule is
// selected by `callbackRetries`. A failing listener never throws out of here.
import http from 'node:http';
import https from 'node:https';
import type { Clock, Timers } from './clock';
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
  /** When the next attempt is due (sandbox clock, ms); null once delivered or given up. A restart re-arms it. */
  dueAt: number | null;
  /** Index of the next delay in RETRY_DELAYS_MS when this attempt fails. */
  retryIndex: number;
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

/**
 * One callback request on node:http(s) rather than fetch: at hundreds of callbacks a second,
 * fetch's per-request machinery (streams, abort signals, Response objects) was a visible cost.
 * Connections are kept alive and reused; the whole exchange is cut after ATTEMPT_TIMEOUT_MS.
 * Resolves to the answer's status; rejects on a network error or the timeout.
 */
function post(url: string, method: 'POST' | 'PUT', payload: string, agents: { http: http.Agent; https: https.Agent }): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) };
    const options = { method, headers, agent: secure ? agents.https : agents.http };
    const req = (secure ? https : http).request(target, options, (res) => {
      res.on('error', reject);
      res.on('end', () => resolve(res.statusCode ?? 0));
      // The body is not needed, only read to the end so the connection can be reused.
      res.resume();
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${ATTEMPT_TIMEOUT_MS} ms`)), ATTEMPT_TIMEOUT_MS);
    timer.unref();
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Told after every change of a callback's state, so it can be stored. */
export type CallbackChanged = () => void;

export class Callbacks {
  private closed = false;
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

  constructor(
    private readonly settings: () => SandboxSettings,
    private readonly timers: Timers,
    private readonly clock: Clock,
    private readonly drop: (operation: string) => boolean,
  ) {}

  /** `method` from the setting: `auto` is POST for v1_0 operations and PUT for v2_0 ones (§7). */
  methodFor(version: 'v1_0' | 'v2_0'): 'POST' | 'PUT' {
    const configured = this.settings().callbackMethod;
    if (configured !== 'auto') return configured;
    return version === 'v2_0' ? 'PUT' : 'POST';
  }

  /** Marks the callback due now and sends it; the caller stores the state it finds changed. */
  send(state: CallbackState, body: unknown, operation: string, changed: CallbackChanged): void {
    if (this.closed) return;
    if (this.drop(operation)) {
      state.dropped = true;
      return;
    }
    state.dueAt = this.clock.now();
    state.retryIndex = 0;
    const payload = JSON.stringify(body);
    // After the caller's synchronous store of the due state, so a crash before sending re-sends.
    queueMicrotask(() => void this.attempt(state, payload, changed));
  }

  /** A callback that was due when the sandbox stopped: its attempt runs at its due time. */
  resume(state: CallbackState, body: unknown, changed: CallbackChanged): void {
    if (state.dueAt === null || state.delivered) return;
    const payload = JSON.stringify(body);
    this.timers.after(state.dueAt - this.clock.now(), () => void this.attempt(state, payload, changed));
  }

  private async attempt(state: CallbackState, payload: string, changed: CallbackChanged): Promise<void> {
    if (this.closed) return;
    state.attempts++;
    try {
      const status = await post(state.url, state.method, payload, this.agents);
      state.lastStatus = status;
      if (status >= 200 && status < 300) {
        state.delivered = true;
        state.lastError = null;
      } else state.lastError = `HTTP ${status}`;
    } catch (e) {
      state.lastError = (e as Error).message || String(e);
    }
    if (this.closed) return;
    const delay = state.delivered || !this.settings().callbackRetries ? undefined : RETRY_DELAYS_MS[state.retryIndex];
    if (delay === undefined) state.dueAt = null;
    else {
      state.dueAt = this.clock.now() + delay;
      state.retryIndex++;
      this.timers.after(delay, () => void this.attempt(state, payload, changed));
    }
    changed();
  }

  close(): void {
    this.closed = true;
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
