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

export function isStuck(settings: WorkerSettings, createdAt: number, now: number): boolean {
  return now - createdAt > settings.stuckAfterS * 1000;
}
