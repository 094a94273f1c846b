// Sign-in throttling with growing delays, per account and per client address. A few mistakes
// are free; after that each failure blocks the next try for twice as long as the one before,
// up to a ceiling. Unknown emails are throttled exactly like known ones, so the answer never
// says which emails exist. Failures are forgotten after a quiet hour.
import { clearThrottle, saveThrottle, throttleRow, type Sql } from '../db';

export interface ThrottlePolicy {
  /** Failures before the first block. */
  free: number;
  firstBlockMs: number;
  maxBlockMs: number;
  forgetAfterMs: number;
}

export const ACCOUNT_POLICY: ThrottlePolicy = { free: 3, firstBlockMs: 30_000, maxBlockMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 };
// One address may be an office behind one NAT: more free tries, the same growth.
export const ADDRESS_POLICY: ThrottlePolicy = { free: 10, firstBlockMs: 30_000, maxBlockMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 };

export const accountKey = (email: string) => `account:${email.toLowerCase()}`;
export const addressKey = (address: string) => `address:${address}`;

/** Milliseconds until `key` may try again; 0 when it may now. */
export async function blockedFor(db: Sql, key: string, now: number): Promise<number> {
  const row = await throttleRow(db, key);
  return row ? Math.max(0, row.blockedUntil - now) : 0;
}

export function blockAfter(policy: ThrottlePolicy, failures: number): number {
  if (failures < policy.free) return 0;
  return Math.min(policy.maxBlockMs, policy.firstBlockMs * 2 ** (failures - policy.free));
}

export async function recordFailure(db: Sql, key: string, policy: ThrottlePolicy, now: number): Promise<void> {
  const row = await throttleRow(db, key);
  const failures = row && now - row.lastFailureAt < policy.forgetAfterMs ? row.failures + 1 : 1;
  await saveThrottle(db, { key, failures, lastFailureAt: now, blockedUntil: now + blockAfter(policy, failures) });
}

export function forget(db: Sql, key: string): Promise<void> {
  return clearThrottle(db, key);
}
