// What `npm run chaos` reports beyond the invariants: the sandbox's fault rates set by
// --fault-rate, and what shoppers felt (checkout → final, checkout → requesttopay at MoMo).
// A short run with no kills; timings are reported, never asserted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { formatChaos, runChaos } from '../../bench/chaos-run';

describe('chaos report', () => {
  it('sets all four sandbox fault rates from faultRate and reports time to final and the requesttopay lag', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sokoni-chaos-report-'));
    const result = await runChaos({ orders: 12, kills: 0, concurrency: 4, faultRate: 0.05, quietWithinMs: 60_000, dir });
    const report = formatChaos(result);
    console.log(report);
    expect(result.violations, report).toEqual([]);
    expect(result.faultRates).toEqual({ errorRate: 0.05, timeoutRate: 0.05, lostAnswerRate: 0.05, dropCallbackRate: 0.05 });

    // The figures are those of the database the run left behind.
    const db = new BetterSqlite3(join(dir, 'sokoni.db'), { readonly: true });
    const orders = db.prepare("SELECT created_at AS c, updated_at AS u FROM orders WHERE status IN ('settled', 'failed', 'payout_failed')").all() as { c: number; u: number }[];
    db.close();
    const { timeToFinalMs, requestToPayLagMs } = result.timing;
    expect(timeToFinalMs.n).toBe(orders.length);
    expect(timeToFinalMs.p99).toBe(Math.max(...orders.map((o) => o.u - o.c)));
    expect(timeToFinalMs.p50).toBeLessThanOrEqual(timeToFinalMs.p95);
    expect(requestToPayLagMs.n).toBe(result.collections.successful + result.collections.failed + result.collections.pending);
    expect(requestToPayLagMs.latest).toEqual(expect.any(Number));
    expect(report).toMatch(/Checkout → final: +p50 \d+ ms, p95 \d+ ms, p99 \d+ ms \(\d+ final orders\)/);
    expect(report).toMatch(/Checkout → requesttopay at MoMo: latest -?\d+ ms/);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
