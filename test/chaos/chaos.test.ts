// A small chaos run as part of `npm test`: about a hundred orders under injected MoMo faults,
// Sokoni SIGKILLed twice and restarted on the same database, a fifth of the orders refunded,
// then every money invariant.
// Timings are never asserted; only that nothing was lost, doubled or misrouted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatChaos, runChaos } from '../../bench/chaos-run';

describe('chaos: faults and kills', () => {
  it('keeps every money invariant through injected faults and two SIGKILLs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sokoni-chaos-'));
    const result = await runChaos({ orders: 100, kills: 2, concurrency: 8, quietWithinMs: 60_000, dir });
    // The report names each broken invariant, which is what a failure needs to show.
    expect(result.violations, formatChaos(result)).toEqual([]);
    expect(result.kills).toBe(2);
    expect(result.placed + result.refused).toBe(100);
    // The run met each path: settled, failed collections and failed payouts.
    expect(result.byStatus.settled ?? 0).toBeGreaterThan(0);
    expect(result.byStatus.failed ?? 0).toBeGreaterThan(0);
    expect(result.byStatus.payout_failed ?? 0).toBeGreaterThan(0);
    // Refunds were asked for, approved by a second person and given back under the same faults.
    expect(result.refunds.approved).toBeGreaterThan(0);
    expect(result.refundsAtSandbox.successful).toBeGreaterThan(0);
    // Kept when the test fails: the database and both logs are what a failure needs.
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
