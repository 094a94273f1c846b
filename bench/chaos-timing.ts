// What shoppers felt in a chaos run, read after it like the invariants: from checkout (the
// order's created_at) to the order's final state (its updated_at once settled, failed or
// payout_failed), and from checkout to the moment MoMo (the sandbox) first saw the requesttopay.
import type { Sql } from '../src/db';
import type { TransactionView } from '../src/sandbox';
import { percentile } from './report';

export interface Percentiles {
  n: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface ChaosTiming {
  /** Checkout → the order's final state, in ms, over the orders that are final. */
  timeToFinalMs: Percentiles;
  /** Checkout → the sandbox's record of the requesttopay, in ms. */
  requestToPayLagMs: Percentiles & {
    /** The lag of the newest order that reached MoMo: what a shopper checking out now waits. */
    latest: number | null;
  };
}

const FINAL = ['settled', 'failed', 'payout_failed'];

function percentiles(values: number[]): Percentiles {
  return { n: values.length, p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99) };
}

export async function chaosTiming(sql: Sql, transactions: TransactionView[]): Promise<ChaosTiming> {
  const rows = await sql.all<{ status: string; createdAt: number; updatedAt: number; paymentRef: string }>(
    `SELECT o.status, o.created_at AS createdAt, o.updated_at AS updatedAt, p.reference_id AS paymentRef FROM orders o JOIN movements p ON p.order_id = o.id AND p.kind = 'collection' ORDER BY o.created_at`,
  );
  const seenAt = new Map<string, number>();
  for (const tx of transactions) if (tx.kind === 'requesttopay') seenAt.set(tx.referenceId, Date.parse(tx.createdAt));

  const finals = rows.filter((r) => FINAL.includes(r.status)).map((r) => r.updatedAt - r.createdAt);
  const lags: number[] = [];
  let latest: number | null = null;
  for (const row of rows) {
    const at = seenAt.get(row.paymentRef);
    if (at === undefined) continue;
    latest = at - row.createdAt;
    lags.push(latest);
  }
  return { timeToFinalMs: percentiles(finals), requestToPayLagMs: { ...percentiles(lags), latest } };
}

const ms = (n: number) => (Number.isFinite(n) ? `${Math.round(n)} ms` : '–');

export function formatTiming(timing: ChaosTiming): string[] {
  const f = timing.timeToFinalMs;
  const l = timing.requestToPayLagMs;
  return [
    `Checkout → final:       p50 ${ms(f.p50)}, p95 ${ms(f.p95)}, p99 ${ms(f.p99)} (${f.n} final orders)`,
    `Checkout → requesttopay at MoMo: latest ${l.latest === null ? '–' : ms(l.latest)}; p50 ${ms(l.p50)}, p95 ${ms(l.p95)}, p99 ${ms(l.p99)} (${l.n} orders)`,
  ];
}
