// Sokoni's figures for Prometheus. Each Sokoni has a registry of its own (never prom-client's
// global one), so tests that start several in one process count apart. What the database knows
// (orders, movements in flight) is read at scrape time; what only this process knows (MoMo
// calls, event streams) is counted as it happens; the breakers' and the worker's state is
// asked of them at scrape time through the sources the composition root hands over.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { orderMachine } from '../checkout';
import { movementsInFlight, orderCountsByStatus, type Sql } from '../db';
import type { MomoCallEvent } from '../momo';
import { movementMachines, type WorkerHealth } from '../movements';
import { OutcomeLabels } from './outcomes';

/** What the metrics read from the parts that are built after them. */
export interface MetricSources {
  /** Each MoMo product's circuit breaker; unconfigured products are left out. */
  breakers(): Record<string, { configured: boolean; state: string }>;
  worker(): WorkerHealth;
}

export interface Metrics {
  /** For the MoMo client's onCall option. */
  momoCall(event: MomoCallEvent): void;
  /** An event stream opened; the function returned closes it (calling it again does nothing). */
  streamOpened(): () => void;
  /** Hands over the breakers and the worker once they exist; until then their figures are absent. */
  track(sources: MetricSources): void;
  /** The text a scrape gets, and its content type. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

/** MoMo answers in tens of milliseconds to a few seconds; a call with retries can take half a minute. */
const MOMO_BUCKETS_S = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BREAKER_STATES = ['closed', 'open', 'half_open'];
/** A movement in these states is no longer followed (a failed payout waits for a person). */
const NOT_IN_FLIGHT = new Set(['successful', 'failed']);

export function createMetrics({ sql }: { sql: Sql }): Metrics {
  const registry = new Registry();
  const registers = [registry];
  let sources: MetricSources | null = null;

  // Every known status is reported, at 0 when no order has it, so a query over a status that
  // just emptied sees 0 rather than a series that vanished.
  new Gauge({
    name: 'sokoni_orders',
    help: 'Orders by status, read from the database at scrape time',
    labelNames: ['status'],
    registers,
    // prom-client awaits an async collect; the reset waits for the read, so two scrapes at once
    // each set whole figures.
    async collect() {
      const counts = await readOrNothing(() => orderCountsByStatus(sql));
      this.reset();
      if (counts === null) return;
      for (const status of Object.keys(orderMachine)) this.set({ status }, 0);
      for (const { status, count } of counts) this.set({ status }, count);
    },
  });

  new Gauge({
    name: 'sokoni_movements_in_flight',
    help: 'Money movements the worker still follows, by kind and state',
    labelNames: ['kind', 'state'],
    registers,
    async collect() {
      const counts = await readOrNothing(() => movementsInFlight(sql));
      this.reset();
      if (counts === null) return;
      for (const [kind, machine] of Object.entries(movementMachines)) {
        for (const state of Object.keys(machine)) if (!NOT_IN_FLIGHT.has(state)) this.set({ kind, state }, 0);
      }
      for (const { kind, status, count } of counts) this.set({ kind, state: status }, count);
    },
  });

  const outcomes = new OutcomeLabels();
  const calls = new Counter({
    name: 'sokoni_momo_calls_total',
    help: 'Calls to MoMo by operation and outcome (ok, or the error code), retries within a call counted once',
    labelNames: ['operation', 'outcome'],
    registers,
  });
  const durations = new Histogram({
    name: 'sokoni_momo_call_duration_seconds',
    help: 'How long MoMo calls took, retries and rate-limit waits included',
    labelNames: ['operation'],
    buckets: MOMO_BUCKETS_S,
    registers,
  });

  new Gauge({
    name: 'sokoni_momo_breaker_state',
    help: "Each MoMo product's circuit breaker: 1 for the state it is in (closed, open, half_open)",
    labelNames: ['product', 'state'],
    registers,
    collect() {
      this.reset();
      if (!sources) return;
      for (const [product, health] of Object.entries(sources.breakers())) {
        if (!health.configured) continue;
        for (const state of BREAKER_STATES) this.set({ product, state }, health.state === state ? 1 : 0);
      }
    },
  });

  const workerGauge = (name: string, help: string, value: (health: WorkerHealth) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.reset();
        if (sources) this.set(value(sources.worker()));
      },
    });
  workerGauge('sokoni_worker_lag_seconds', 'How long the oldest due check has been waiting (0 when none is overdue)', (h) => h.lagMs / 1000);
  workerGauge('sokoni_worker_failing', '1 while the worker fails on the database, else 0', (h) => (h.state === 'failing' ? 1 : 0));
  new Counter({
    name: 'sokoni_worker_database_errors_total',
    help: 'Worker runs that failed on the database (a full disk, a lock held by another process)',
    registers,
    collect() {
      this.reset();
      if (sources) this.inc(sources.worker().databaseErrors);
    },
  });

  // Each series looked up once: labels by object made prom-client sort and join the label names
  // on every call, four times per order (issue #16). Operations and outcomes are Sokoni's own
  // short lists (outcomes.ts), so the map stays small.
  const callSeries = new Map<string, { calls: ReturnType<typeof calls.labels>; duration: ReturnType<typeof durations.labels> }>();

  const streams = new Gauge({ name: 'sokoni_sse_connections', help: 'Order event streams (Server-Sent Events) open now', registers });

  return {
    momoCall(event) {
      const outcome = outcomes.label(event.outcome);
      const key = `${event.operation} ${outcome}`;
      let series = callSeries.get(key);
      if (!series) callSeries.set(key, (series = { calls: calls.labels(event.operation, outcome), duration: durations.labels(event.operation) }));
      series.calls.inc();
      series.duration.observe(event.durationMs / 1000);
    },
    streamOpened() {
      streams.inc();
      let open = true;
      return () => {
        if (open) streams.dec();
        open = false;
      };
    },
    track(given) {
      sources = given;
    },
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/**
 * A scrape while the database fails still carries the breakers and the worker (which then says
 * it is failing): the database's figures are left out rather than failing the whole scrape.
 */
async function readOrNothing<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch {
    return null;
  }
}
