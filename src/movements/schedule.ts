// When to read a movement's status next. Quick at first, when an answer is most likely, then
// backing off; past the approval window (when the provider should have decided) a slow pace,
// because we never give up on money that may have moved.
import type { WorkerSettings } from '../config';

export function nextCheckDelay(settings: WorkerSettings, checksSoFar: number, ageMs: number): number {
  if (ageMs > settings.approvalWindowS * 1000) return settings.slowCheckS * 1000;
  const backoff = Math.min(settings.firstCheckMs * 2 ** Math.min(checksSoFar, 20), settings.maxCheckMs);
  // ±20% jitter so a burst of orders does not come due in lock-step.
  return Math.round(backoff * (0.8 + Math.random() * 0.4));
}

/**
 * When to try a read again after it could not be made. Not the slow pace: the provider's client
 * says when its breaker will let a probe through, and the read goes then (with up to a second of
 * jitter, so a backlog does not come due in one instant); otherwise the young backoff.
 */
export function afterFailedReadDelay(settings: WorkerSettings, checksSoFar: number, retryAt: number | null, now: number): number {
  // Whole milliseconds: next_check_at is a BIGINT, which PostgreSQL refuses a fraction for.
  const jitter = Math.round(Math.random() * 1000);
  if (retryAt !== null && retryAt > now) return retryAt - now + jitter;
  return Math.round(Math.min(settings.firstCheckMs * 2 ** Math.min(checksSoFar, 20), settings.maxCheckMs) * (0.8 + Math.random() * 0.4));
}

export function isStuck(settings: WorkerSettings, createdAt: number, now: number): boolean {
  return now - createdAt > settings.stuckAfterS * 1000;
}
