// What GET /metrics counts at each scrape. Both reads stay on indexes (orders_status_created,
// whose first column is the status; the partial movements_due, which holds exactly the rows the
// worker still follows), so a scrape costs little however many settled orders the shop has.
import type { Database } from './connection';
import { statement } from './statements';

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

export function orderCountsByStatus(db: Database): StatusCount[] {
  return statement(db, METRICS_SQL.ordersByStatus).all() as StatusCount[];
}

/** Movements the worker still follows (a due check is set), by kind and state. */
export function movementsInFlight(db: Database): MovementStateCount[] {
  return statement(db, METRICS_SQL.movementsInFlight).all() as MovementStateCount[];
}
