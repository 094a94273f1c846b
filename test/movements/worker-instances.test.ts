// Two workers (two instances, each its own pool and holder) on one PostgreSQL database (issue
// #17): every due movement is stepped by exactly one of them. The engine is a stand-in that
// records who stepped what and ends the step, so only the workers' picking is under test.
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { OrderStore, type Movement } from '../../src/db';
import { silentLogger } from '../../src/log';
import { holderIsGone, Worker, type MovementEngine } from '../../src/movements';
import { postgres } from '../db/postgres-helpers';
import { databaseWithDue, instancePool } from '../db/postgres-movements';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const settings = loadConfig({ CHECK_CONCURRENCY: '4' }).worker;

async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(postgres.skipped !== null)('two workers on one PostgreSQL', () => {
  it('step each due movement exactly once between them', async () => {
    const start = Date.now();
    const { fresh, ids } = await databaseWithDue((fn) => cleanups.push(fn), 60, { dueAt: start - 1_000, createdAt: start - 2_000 });
    const stepped: { holder: string; orderId: string }[] = [];
    // A's steps end only once B has stepped one: both take part, however the picks fall.
    let bStepped!: () => void;
    const bHasStepped = new Promise<void>((resolve) => (bStepped = resolve));
    const worker = (holder: string, before: () => Promise<void>, after: () => void) => {
      const sql = instancePool((fn) => cleanups.push(fn), fresh.url);
      const store = new OrderStore(sql).movements;
      const engine = {
        // A step: recorded, then ended with the next read an hour away, as a read of a pending payment would.
        async check(movement: Movement) {
          stepped.push({ holder, orderId: movement.orderId });
          await before();
          await store.afterRead(movement, Date.now() + 3_600_000, Date.now());
          after();
        },
      } as unknown as MovementEngine;
      const made = new Worker({ sql, engine, store, settings, log: silentLogger, clock: Date.now, holder });
      cleanups.push(() => made.stop());
      return made;
    };
    const a = worker('instance-a', () => bHasStepped, () => undefined);
    const b = worker('instance-b', () => Promise.resolve(), () => bStepped());
    await Promise.all([a.start(), b.start()]);
    await until(() => stepped.length >= ids.length, 'every due movement was stepped');
    await Promise.all([a.stop(), b.stop()]);
    expect(stepped.map((step) => step.orderId).sort()).toEqual([...ids].sort());
    expect(new Set(stepped.map((step) => step.holder)).size).toBe(2);
  });
});

describe('holderIsGone', () => {
  it('is true only for a process of this machine that no longer runs', () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    expect(holderIsGone(`${hostname()}:${gone}:abc123`)).toBe(true);
    expect(holderIsGone(`${hostname()}:${process.pid}:abc123`)).toBe(false);
    expect(holderIsGone(`${hostname()}:${process.ppid}:abc123`)).toBe(false);
    expect(holderIsGone(`another-machine-${hostname()}:${gone}:abc123`)).toBe(false);
    expect(holderIsGone('nonsense')).toBe(false);
  });
});
