// Several Sokoni instances on one PostgreSQL (issue #17): each due movement is picked by exactly
// one of them, a dead instance's rows are taken over once its lease runs out (not before), and an
// instance starting up leaves the leases of those still running alone.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { OrderStore, type Movement } from '../../src/db';
import { postgres } from './postgres-helpers';
import { databaseWithDue as databaseWithDueOn, instancePool, placeDue } from './postgres-movements';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const now = 10_000_000;
const minute = 60_000;

const databaseWithDue = (count: number, dueAt = now - 1_000, createdAt = now - 2_000) =>
  databaseWithDueOn((fn) => cleanups.push(fn), count, { dueAt, createdAt });
const place = placeDue;

/** Another instance: its own pool on the same database. */
const instance = (url: string) => new OrderStore(instancePool((fn) => cleanups.push(fn), url));

const orderIds = (rows: readonly Movement[]) => rows.map((m) => m.orderId).sort();

describe.skipIf(postgres.skipped !== null)('several instances on one PostgreSQL', () => {
  it('two instances picking at once take each due movement exactly once between them', async () => {
    const { fresh, ids } = await databaseWithDue(40);
    const a = instance(fresh.url).movements;
    const b = instance(fresh.url).movements;
    const taken = new Map<string, Movement[]>([['a', []], ['b', []]]);
    const drain = async (name: 'a' | 'b', store: typeof a) => {
      for (;;) {
        const batch = await store.pick(now, 3, now - minute, { holder: name, until: now + minute });
        if (batch.length === 0) return;
        taken.get(name)!.push(...batch);
      }
    };
    await Promise.all([drain('a', a), drain('b', b), drain('a', a), drain('b', b)]);
    const all = [...taken.get('a')!, ...taken.get('b')!];
    expect(orderIds(all)).toEqual([...ids].sort());
    const holders = await fresh.sql.all<{ leasedBy: string; n: number }>('SELECT leased_by AS leasedBy, count(*) AS n FROM movements GROUP BY leased_by ORDER BY leased_by');
    // Each row is leased to the instance it was handed to (one may have been quicker to all of them).
    const told = [...taken].filter(([, rows]) => rows.length > 0).map(([leasedBy, rows]) => ({ leasedBy, n: rows.length }));
    expect(holders).toEqual(told);
  });

  it('a pick passes over a row another instance is taking instead of waiting for it', async () => {
    const { fresh, ids } = await databaseWithDue(3);
    const other = new pg.Client({ connectionString: fresh.url });
    await other.connect();
    cleanups.push(() => other.end());
    // Another instance's pick is mid-statement on the first order's row: it holds its row lock.
    await other.query('BEGIN');
    await other.query('SELECT id FROM movements WHERE order_id = $1 FOR UPDATE', [ids[0]]);
    const taken = await instance(fresh.url).movements.pick(now, 10, now - minute, { holder: 'b', until: now + minute });
    expect(orderIds(taken)).toEqual([ids[1]!, ids[2]!].sort());
    await other.query('ROLLBACK');
  });

  it('picks young movements before old ones', async () => {
    const { fresh, orders } = await databaseWithDue(2, now - 500_000, now - 3_600_000);
    const young = await place(orders, now - 30_000, now - 1_000);
    const taken = await instance(fresh.url).movements.pick(now, 1, now - 300_000, { holder: 'b', until: now + minute });
    expect(orderIds(taken)).toEqual([young]);
  });

  it('a dead instance’s rows are taken over once its lease has run out, not before', async () => {
    const { fresh, ids } = await databaseWithDue(5);
    const dead = instance(fresh.url).movements;
    const alive = instance(fresh.url).movements;
    const held = await dead.pick(now, 5, now - minute, { holder: 'dead', until: now + minute });
    expect(held).toHaveLength(5);
    // The dead instance never finishes its steps.
    expect(await alive.pick(now + 1_000, 5, now - minute, { holder: 'alive', until: now + 1_000 + minute })).toEqual([]);
    expect(await alive.pick(now + minute - 1, 5, now - minute, { holder: 'alive', until: now + 2 * minute })).toEqual([]);
    const takenOver = await alive.pick(now + minute, 5, now - minute, { holder: 'alive', until: now + 2 * minute });
    expect(orderIds(takenOver)).toEqual([...ids].sort());
    expect(takenOver.every((m) => m.leasedBy === 'alive')).toBe(true);
  });

  it('an instance starting up frees at once the live leases of a holder it knows is gone (itself before a kill), and no one else’s', async () => {
    const { fresh } = await databaseWithDue(4);
    const live = instance(fresh.url).movements;
    const starting = instance(fresh.url).movements;
    await live.pick(now, 2, now - minute, { holder: 'live', until: now + minute });
    await live.pick(now, 2, now - minute, { holder: 'killed', until: now + minute });
    await starting.resume(now + 1_000, (holder) => holder === 'killed');
    const rows = await fresh.sql.all<{ leasedBy: string | null }>('SELECT leased_by AS leasedBy FROM movements ORDER BY leased_by');
    expect(rows.map((row) => row.leasedBy)).toEqual(['live', 'live', null, null]);
  });

  it('an instance starting up leaves a live instance’s leases alone and frees only those that ran out', async () => {
    const { fresh, ids } = await databaseWithDue(4);
    const live = instance(fresh.url).movements;
    const starting = instance(fresh.url).movements;
    // The live instance holds two rows until a minute from now; a dead one held the other two
    // until a second ago.
    const held = await live.pick(now, 2, now - minute, { holder: 'live', until: now + minute });
    expect(held).toHaveLength(2);
    await fresh.sql.run(`UPDATE movements SET leased_by = 'dead', leased_until = @at, next_check_at = @at WHERE leased_by IS DISTINCT FROM 'live'`, { at: now + 500 });
    await starting.resume(now + 1_000);
    const rows = await fresh.sql.all<{ orderId: string; leasedBy: string | null; nextCheckAt: number }>(
      'SELECT order_id AS orderId, leased_by AS leasedBy, next_check_at AS nextCheckAt FROM movements',
    );
    const byOrder = new Map(rows.map((row) => [row.orderId, row]));
    for (const movement of held) expect(byOrder.get(movement.orderId)).toEqual({ orderId: movement.orderId, leasedBy: 'live', nextCheckAt: now + minute });
    const freed = ids.filter((id) => !held.some((m) => m.orderId === id));
    for (const id of freed) expect(byOrder.get(id)).toEqual({ orderId: id, leasedBy: null, nextCheckAt: now + 1_000 });
  });
});
