// Retries with exponential backoff and full jitter (a random wait between zero and the
// exponential bound), so many clients hit by the same outage do not come back in step.
import { MomoError } from './errors';

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
}

function backoffMs(policy: RetryPolicy, retry: number, error: unknown): number {
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  const jittered = policy.random() * bound;
  // A Retry-After from MoMo is a floor, still capped so one header cannot stall a checkout.
  const asked = error instanceof MomoError && error.retryAfterMs !== undefined ? Math.min(error.retryAfterMs, policy.maxDelayMs) : 0;
  return Math.max(jittered, asked);
}

/**
 * Runs `attempt` (numbered from 1) until it succeeds, fails with something `shouldRetry`
 * refuses, or `maxRetries` retries are spent; the last error is thrown as it is.
 */
export async function withRetries<T>(policy: RetryPolicy, shouldRetry: (error: unknown) => boolean, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 1; ; n += 1) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n > policy.maxRetries || !shouldRetry(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoffMs(policy, n, error)));
    }
  }
}
