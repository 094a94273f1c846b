// What GET /metrics counts at each scrape. Both reads stay on indexes (orders_status_created,
// whose first column is the status; the partial movements_due, which holds exactly the rows the
// worker still follows), so a scrape costs little however many settled orders the shop has.
import { toNumber } from './dialect';
import type { Sql } from './sql';

export interface StatusCount {
  status: string;
  count: number;
}

export interface MovementStateCount {
  kind: string;
  status: string;
  count: number;
}

/** The SQL itself, for the test that checks its query plans. */
export const METRICS_SQL = {
  ordersByStatus: 'SELECT status, count(*) AS count FROM orders GROUP BY status',
  movementsInFlight: 'SELECT kind, status, count(*) AS count FROM movements WHERE next_check_at IS NOT NULL GROUP BY kind, status',
};

export async function orderCountsByStatus(db: Sql): Promise<StatusCount[]> {
  return (await db.all<StatusCount>(METRICS_SQL.ordersByStatus)).map((r) => ({ ...r, count: toNumber(r.count) }));
}

/** Movements the worker still follows (a due check is set), by kind and state. */
export async function movementsInFlight(db: Sql): Promise<MovementStateCount[]> {
  return (await db.all<MovementStateCount>(METRICS_SQL.movementsInFlight)).map((r) => ({ ...r, count: toNumber(r.count) }));
}
