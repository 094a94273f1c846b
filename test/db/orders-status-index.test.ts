// Migration 010 drops orders_status: orders_status_created starts with the same column, so every
// query by an order's status still finds its rows through an index (issue #16: one index fewer
// for each of an order's three status moves on the hot path).
import { afterEach, describe, expect, it } from 'vitest';
import { tempDatabase, type TempDatabase } from './helpers';

let t: TempDatabase | undefined;
afterEach(() => {
  t?.close();
  t = undefined;
});

const plan = (db: TempDatabase['db'], sql: string, ...params: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((row) => row.detail).join('; ');

describe('orders by status after migration 010', () => {
  it('has no orders_status index, and each status query uses orders_status_created', () => {
    t = tempDatabase();
    const indexes = t.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'orders'`).pluck().all();
    expect(indexes).not.toContain('orders_status');
    expect(indexes).toContain('orders_status_created');
    for (const [sql, ...params] of [
      [`SELECT status, count(*) FROM orders GROUP BY status`],
      [`SELECT count(*) FROM orders WHERE status = 'payout_failed'`],
      [`SELECT count(*) FROM orders WHERE status IN ('pending', 'paid') AND created_at < ?`, 0],
      [`SELECT id FROM orders WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT 50`, 'paid'],
    ] as [string, ...unknown[]][]) {
      expect(plan(t.db, sql, ...params), sql).toMatch(/INDEX orders_status_created/);
    }
  });
});
