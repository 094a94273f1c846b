// Which due movements the worker takes first (issue #9): after an outage many are due at once,
// and a payment whose payer is still at the till (inside the approval window) goes before a
// backlog nobody is waiting for, whatever their due times say. A pick leases only rows still as
// it read them (issue #16): on PostgreSQL one statement; on SQLite a guarded lease after the read.
import { randomUUID } from 'node:crypto';
import { afterEach, expect, it, vi } from 'vitest';
import { DEMO_PRODUCT_IDS, OrderStore } from '../../src/db';
import { onPostgres, testSql, type TestSql } from './test-database';

let t: TestSql | undefined;
afterEach(() => t?.close());

const now = 10_000_000;
const lease = { holder: 'worker', until: now + 60_000 };

async function store(): Promise<{ orders: OrderStore; place: (createdAt: number, dueAt: number) => Promise<string> }> {
  t = await testSql();
  await t.seedDemo();
  const orders = new OrderStore(t.sql);
  const product = (await orders.productForOrder(DEMO_PRODUCT_IDS[0]!))!;
  const place = async (createdAt: number, dueAt: number) => {
    const id = randomUUID();
    await orders.createOrderWithPayment({
      id, idempotencyKey: null, productId: product.id, sellerId: product.sellerId, qty: 1, unitPriceMinor: 1000, amountMinor: 1000,
      currency: 'EUR', sellerShareBps: 8000, sellerAmountMinor: 800, platformAmountMinor: 200, payerMsisdn: '256772123456',
    }, randomUUID(), createdAt, { holder: 'test', until: dueAt }, 'momo');
    // Its lease ended at `dueAt`: due since then, as after a restart or an outage.
    await t!.sql.run('UPDATE movements SET leased_until = NULL, leased_by = NULL WHERE order_id = ?', [id]);
    return id;
  };
  return { orders, place };
}

it('takes young movements before old ones, then the old by due time', async () => {
  const { orders, place } = await store();
  const oldest = await place(now - 3_600_000, now - 3_000_000);
  const older = await place(now - 1_800_000, now - 1_000_000);
  const young = await place(now - 30_000, now - 1_000);
  const youngSince = now - 300_000;
  const pick = async (limit: number, since: number) => (await orders.movements.pick(now, limit, since, lease)).map((m) => m.orderId);

  expect(await pick(1, youngSince)).toEqual([young]);
  expect(await pick(1, youngSince)).toEqual([oldest]);
  expect(await pick(3, youngSince)).toEqual([older]);
  expect(await pick(3, youngSince)).toEqual([]);

  // Due again: by due time alone, the young one would have come last.
  await t!.sql.run('UPDATE movements SET next_check_at = created_at, leased_until = NULL, leased_by = NULL');
  expect((await pick(2, 0)).sort()).toEqual([oldest, older].sort());
  // Answered young first whatever order the statement gave them in.
  await t!.sql.run('UPDATE movements SET next_check_at = created_at, leased_until = NULL, leased_by = NULL');
  expect((await pick(3, youngSince))[0]).toBe(young);
});

it('a pick leases its rows as it finds them: a row still held takes no slot, and each comes back as leased', async () => {
  const { orders, place } = await store();
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push(await place(now - 1000 + i, now - 500 + i));
  const [a, b, c, d] = ids;
  // a, the soonest due, is still held by another process until later.
  await t!.sql.run('UPDATE movements SET leased_until = ?, leased_by = ? WHERE order_id = ?', [now + 60_000, 'another', a!]);
  const [first] = await orders.movements.pick(now, 1, 0, lease);
  expect(first).toMatchObject({ orderId: b, leasedBy: 'worker', leasedUntil: now + 60_000, nextCheckAt: now + 60_000 });
  expect((await orders.movements.pick(now, 5, 0, lease)).map((m) => m.orderId).sort()).toEqual([c!, d!].sort());
  expect(await orders.movements.pick(now, 5, 0, lease)).toEqual([]);
  const held = await t!.sql.all<{ orderId: string; holder: string; at: number }>(
    'SELECT order_id AS "orderId", leased_by AS holder, next_check_at AS at FROM movements ORDER BY id',
  );
  expect(held.map(({ orderId, holder, at }) => ({ orderId, holder, at: Number(at) }))).toEqual([
    { orderId: a, holder: 'another', at: now - 500 },
    { orderId: b, holder: 'worker', at: now + 60_000 },
    { orderId: c, holder: 'worker', at: now + 60_000 },
    { orderId: d, holder: 'worker', at: now + 60_000 },
  ]);
});

it('a pick is one statement on PostgreSQL; on SQLite its reads and one lease, the old read only when the young leave slots', async () => {
  const { orders, place } = await store();
  const youngSince = now - 300_000;
  await place(now - 30_000, now - 2_000);
  await place(now - 20_000, now - 1_000);
  await place(now - 3_600_000, now - 3_000_000);
  const statements = ['all', 'get', 'run', 'transaction'].map((method) => vi.spyOn(t!.sql, method as 'all'));
  const counted = () => statements.reduce((sum, spy) => sum + spy.mock.calls.length, 0);

  const onPostgres = t!.sql.dialect === 'postgres';
  expect(await orders.movements.pick(now, 1, youngSince, lease)).toHaveLength(1);
  expect(counted()).toBe(onPostgres ? 1 : 2);
  const rest = await orders.movements.pick(now, 5, youngSince, lease);
  expect(rest.map((m) => m.createdAt < youngSince)).toEqual([false, true]);
  expect(counted()).toBe(onPostgres ? 2 : 5);
});

it.skipIf(onPostgres)('a row that moves on between the pick\'s read and its lease is not taken (SQLite\'s guarded lease)', async () => {
  const { orders, place } = await store();
  const first = await place(now - 1000, now - 600);
  const second = await place(now - 900, now - 500);
  // Just before the lease is written, another step moves `first` on (as a step whose callback
  // landed between the two statements would).
  const run = t!.sql.run.bind(t!.sql);
  vi.spyOn(t!.sql, 'run').mockImplementation(async (sql, params) => {
    if (sql.startsWith('UPDATE movements SET next_check_at = ?, leased_until = ?')) {
      await run("UPDATE movements SET status = 'successful', next_check_at = NULL WHERE order_id = ?", [first]);
    }
    return run(sql, params);
  });
  const taken = await orders.movements.pick(now, 5, 0, lease);
  expect(taken.map((m) => m.orderId)).toEqual([second]);
  const rows = await t!.sql.all<{ orderId: string; holder: string | null }>('SELECT order_id AS "orderId", leased_by AS holder FROM movements ORDER BY id');
  expect(rows).toEqual([{ orderId: first, holder: null }, { orderId: second, holder: 'worker' }]);
});
