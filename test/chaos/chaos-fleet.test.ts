// The chaos run across instances (issue #17): three Sokoni processes on one PostgreSQL database of
// the suite's throwaway cluster, behind the round-robin proxy, instances SIGKILLed at random
// under injected MoMo faults, then every money invariant over all of their work. Small (a few
// dozen orders); `npm run chaos -- --db postgres --instances 3` is the full run. It still takes
// about a minute: a killed instance's leased movements wait out the worker's 60 s lease before
// another instance takes them over (src/movements/worker.ts). Timings are never asserted.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatChaos, runChaos } from '../../bench/chaos-run';
import { postgres } from '../db/postgres-helpers';

if (postgres.url === null) console.warn(`PostgreSQL tests skipped: ${postgres.skipped}`);

describe.skipIf(postgres.url === null)('chaos across three instances on PostgreSQL', () => {
  // The run's PostgreSQL is the suite's cluster, as DATABASE_URL names a server to the command.
  const before = process.env.DATABASE_URL;
  beforeAll(() => {
    process.env.DATABASE_URL = postgres.url!;
  });
  afterAll(() => {
    if (before === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = before;
  });

  it('keeps every money invariant while instances are killed and restarted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sokoni-chaos-fleet-'));
    const result = await runChaos({ orders: 40, kills: 2, concurrency: 6, quietWithinMs: 120_000, dir, db: 'postgres', instances: 3 });
    expect(result.violations, formatChaos(result)).toEqual([]);
    expect(result).toMatchObject({ db: 'postgres', instances: 3, kills: 2 });
    expect(result.placed + result.refused).toBe(40);
    expect(result.byStatus.settled ?? 0).toBeGreaterThan(0);
    // Each instance served and logged; none of the data went to a SQLite file.
    expect(readdirSync(dir).filter((name) => /^sokoni-\d\.log$/.test(name)).sort()).toEqual(['sokoni-1.log', 'sokoni-2.log', 'sokoni-3.log']);
    expect(readdirSync(dir)).not.toContain('sokoni.db');
    rmSync(dir, { recursive: true, force: true });
  }, 240_000);
});
