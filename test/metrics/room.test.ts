// The metrics room on its own: what a scrape says while the database fails, streams closed
// twice, MoMo's codes as bounded labels, and the scrape-time reads staying on their indexes.
import { afterEach, describe, expect, it } from 'vitest';
import { METRICS_SQL, SqliteSql } from '../../src/db';
import { createMetrics } from '../../src/metrics';
import { MAX_OUTCOMES, OTHER_OUTCOME, OutcomeLabels } from '../../src/metrics/outcomes';
import type { WorkerHealth } from '../../src/movements';
import { tempDatabase, type TempDatabase } from '../db/helpers';
import { parseExposition } from './exposition';

const failingWorker: WorkerHealth = { state: 'failing', failingSince: 1, lagMs: 2500, databaseErrors: 3 };

let t: TempDatabase | undefined;
afterEach(() => {
  t?.close();
  t = undefined;
});

/** The port over a migrated database in a temp folder, removed after the test. */
function database(): SqliteSql {
  t = tempDatabase();
  return new SqliteSql(t.db);
}

describe('createMetrics', () => {
  it('while the database fails, the scrape still carries the worker and the breakers, without the database figures', async () => {
    const sql = database();
    const metrics = createMetrics({ sql });
    metrics.track({ breakers: () => ({ collection: { configured: true, state: 'open' } }), worker: () => failingWorker });
    sql.raw.close();
    const scraped = parseExposition((await metrics.scrape()).body);
    expect(scraped.samples.filter((s) => s.name === 'sokoni_orders' || s.name === 'sokoni_movements_in_flight')).toEqual([]);
    expect(scraped.value('sokoni_worker_failing')).toBe(1);
    expect(scraped.value('sokoni_worker_lag_seconds')).toBe(2.5);
    expect(scraped.value('sokoni_worker_database_errors_total')).toBe(3);
    expect(scraped.value('sokoni_momo_breaker_state', { product: 'collection', state: 'open' })).toBe(1);
    expect(scraped.value('sokoni_momo_breaker_state', { product: 'collection', state: 'closed' })).toBe(0);
  });

  it('a stream closed twice (ended, then its socket closed) is counted down once', async () => {
    const metrics = createMetrics({ sql: database() });
    const first = metrics.streamOpened();
    metrics.streamOpened();
    first();
    first();
    expect(parseExposition((await metrics.scrape()).body).value('sokoni_sse_connections')).toBe(1);
  });

  it('two instances in one process count apart', async () => {
    const sql = database();
    const one = createMetrics({ sql });
    const two = createMetrics({ sql });
    one.momoCall({ product: 'collection', operation: 'collection.getBalance', outcome: 'ok', status: 200, durationMs: 12 });
    expect(parseExposition((await one.scrape()).body).value('sokoni_momo_calls_total', { operation: 'collection.getBalance', outcome: 'ok' })).toBe(1);
    expect(parseExposition((await two.scrape()).body).value('sokoni_momo_calls_total', { operation: 'collection.getBalance', outcome: 'ok' })).toBeUndefined();
  });

  it('reads orders and in-flight movements through indexes, never a scan of the table', () => {
    const db = database().raw;
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((row) => row.detail).join('; ');
    expect(plan(METRICS_SQL.ordersByStatus)).toMatch(/USING COVERING INDEX orders_status/);
    expect(plan(METRICS_SQL.movementsInFlight)).toMatch(/USING INDEX movements_due/);
  });
});

describe('OutcomeLabels', () => {
  it('keeps codes as they are, up to a bound; past it, and for anything not shaped like a code, OTHER', () => {
    const labels = new OutcomeLabels();
    expect(labels.label('ok')).toBe('ok');
    expect(labels.label('NOT_ENOUGH_FUNDS')).toBe('NOT_ENOUGH_FUNDS');
    expect(labels.label('free text from a gateway')).toBe(OTHER_OUTCOME);
    for (let i = 1; i < MAX_OUTCOMES; i++) expect(labels.label(`CODE_${i}`)).toBe(`CODE_${i}`);
    expect(labels.label('ONE_TOO_MANY')).toBe(OTHER_OUTCOME);
    expect(labels.label('NOT_ENOUGH_FUNDS')).toBe('NOT_ENOUGH_FUNDS');
  });
});
