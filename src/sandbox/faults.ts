// Faults on demand. Rules added at run time (control API) fire with a probability, or for the
// next N matching calls, optionally only for one operation ("collection.requestToPay", or a glob
// such as "collection.*"); the `faults` settings add the same faults as plain rates.
import { randomUUID } from 'node:crypto';
import type { SandboxSettings } from './settings';

export type FaultKind = 'latency' | 'error' | 'timeout' | 'lostAnswer' | 'dropCallback';

export interface FaultRuleInput {
  kind: FaultKind;
  /** Chance that a matching call is hit (default 1). */
  probability?: number;
  /** Hit only the next N matching calls, then the rule is removed. */
  count?: number;
  /** Operation name or glob; every operation when absent. */
  operation?: string;
  /** latency: extra milliseconds before the answer. */
  latencyMs?: number;
  /** error: 500 or 503 (default 500). */
  status?: 500 | 503;
  /** timeout: how long the request is held before its socket is destroyed. */
  holdMs?: number;
  /** lostAnswer: the client sees a 500 (`error`) or a dropped connection (`drop`, default). */
  as?: 'error' | 'drop';
}

export interface FaultRule extends FaultRuleInput {
  id: string;
  hits: number;
}

export type RequestFault =
  | { kind: 'error'; status: 500 | 503 }
  | { kind: 'timeout'; holdMs: number }
  | { kind: 'lostAnswer'; as: 'error' | 'drop' };

/** Longer than any sensible client timeout (Sokoni's MOMO_TIMEOUT_MS defaults to 10 s). */
export const DEFAULT_HOLD_MS = 30_000;

export class FaultError extends Error {
  override name = 'FaultError';
}

const KINDS: FaultKind[] = ['latency', 'error', 'timeout', 'lostAnswer', 'dropCallback'];

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

export class Faults {
  private rules: (FaultRule & { match: RegExp | null })[] = [];

  constructor(private readonly settings: () => SandboxSettings) {}

  add(input: FaultRuleInput): FaultRule {
    if (!input || !KINDS.includes(input.kind)) throw new FaultError(`kind must be one of ${KINDS.join(', ')}`);
    const { probability, count, latencyMs, status, holdMs, as, operation } = input;
    if (probability !== undefined && !(typeof probability === 'number' && probability >= 0 && probability <= 1)) throw new FaultError('probability must be from 0 to 1');
    if (count !== undefined && !(Number.isInteger(count) && count > 0)) throw new FaultError('count must be a positive integer');
    if (input.kind === 'latency' && !(Number.isInteger(latencyMs) && latencyMs! >= 0)) throw new FaultError('latency needs latencyMs, a non-negative integer');
    if (status !== undefined && status !== 500 && status !== 503) throw new FaultError('status must be 500 or 503');
    if (holdMs !== undefined && !(Number.isInteger(holdMs) && holdMs >= 0)) throw new FaultError('holdMs must be a non-negative integer');
    if (as !== undefined && as !== 'error' && as !== 'drop') throw new FaultError('as must be error or drop');
    if (operation !== undefined && (typeof operation !== 'string' || operation === '')) throw new FaultError('operation must be a non-empty string');
    const rule = {
      kind: input.kind,
      ...(probability !== undefined && { probability }),
      ...(count !== undefined && { count }),
      ...(operation !== undefined && { operation }),
      ...(latencyMs !== undefined && { latencyMs }),
      ...(status !== undefined && { status }),
      ...(holdMs !== undefined && { holdMs }),
      ...(as !== undefined && { as }),
      id: randomUUID(),
      hits: 0,
    };
    this.rules.push({ ...rule, match: operation ? globToRegExp(operation) : null });
    return rule;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map(({ match: _match, ...rule }) => rule);
  }

  /** Whether a rule of `kind` fires for `operation`; consumes one of its counted hits if so. */
  private fire(kind: FaultKind, operation: string): FaultRule | null {
    for (const rule of this.rules) {
      if (rule.kind !== kind || (rule.match && !rule.match.test(operation))) continue;
      if (rule.probability !== undefined && Math.random() >= rule.probability) continue;
      rule.hits++;
      if (rule.count !== undefined && rule.hits >= rule.count) this.remove(rule.id);
      return rule;
    }
    return null;
  }

  /**
   * What happens to one API call. `rates` is false for sandbox provisioning, which is setup rather
   * than MoMo traffic, so the settings' rates never break a client's start-up.
   */
  forRequest(operation: string, rates: boolean): { latencyMs: number; fault: RequestFault | null } {
    const f = this.settings().faults;
    let latencyMs = rates ? f.latencyMs : 0;
    if (this.rules.length === 0 && (!rates || (f.errorRate === 0 && f.timeoutRate === 0 && f.lostAnswerRate === 0))) {
      return { latencyMs, fault: null };
    }
    const slow = this.fire('latency', operation);
    if (slow) latencyMs += slow.latencyMs ?? 0;
    const error = this.fire('error', operation);
    if (error) return { latencyMs, fault: { kind: 'error', status: error.status ?? 500 } };
    const timeout = this.fire('timeout', operation);
    if (timeout) return { latencyMs, fault: { kind: 'timeout', holdMs: timeout.holdMs ?? DEFAULT_HOLD_MS } };
    const lost = this.fire('lostAnswer', operation);
    if (lost) return { latencyMs, fault: { kind: 'lostAnswer', as: lost.as ?? 'drop' } };
    if (rates) {
      // The rates pick a 500 or a 503, an error or a drop, at random: both happen in the wild.
      if (f.errorRate > 0 && Math.random() < f.errorRate) return { latencyMs, fault: { kind: 'error', status: Math.random() < 0.5 ? 500 : 503 } };
      if (f.timeoutRate > 0 && Math.random() < f.timeoutRate) return { latencyMs, fault: { kind: 'timeout', holdMs: DEFAULT_HOLD_MS } };
      if (f.lostAnswerRate > 0 && Math.random() < f.lostAnswerRate) return { latencyMs, fault: { kind: 'lostAnswer', as: Math.random() < 0.5 ? 'error' : 'drop' } };
    }
    return { latencyMs, fault: null };
  }

  dropCallback(operation: string): boolean {
    if (this.fire('dropCallback', operation)) return true;
    const rate = this.settings().faults.dropCallbackRate;
    return rate > 0 && Math.random() < rate;
  }
}
