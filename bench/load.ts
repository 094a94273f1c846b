// The load generator: places orders through POST /pay and follows each one with long-polling
// GET /orders/:id (Prefer: wait) until it is final. Closed loop (C shoppers, each placing its
// next order when the last one is final) finds the peak rate; open loop (a fixed rate of new
// orders whatever happens to the earlier ones) measures latency at a given offered load.
import { performance } from 'node:perf_hooks';
import { DEMO_PRODUCT_IDS } from '../src/db';
import type { JsonClient } from './http';

export interface OrderResult {
  /** POST /pay's own latency. */
  payMs: number | null;
  /** From sending POST /pay to seeing the order final. */
  finalMs: number | null;
  status: string | null;
  error: string | null;
}

export type Pace = { kind: 'closed'; concurrency: number } | { kind: 'open'; perSecond: number };

export interface LoadOptions {
  client: JsonClient;
  orders: number;
  pace: Pace;
  /** The payer of order i; distinct payers keep every wallet far from empty. */
  payer?: (i: number) => string;
  /** Stop following an order after this long: counted as an error. */
  followMs?: number;
  /** Not final is good enough: for orders that are meant to stay pending. */
  placeOnly?: boolean;
  /** In the open loop, at most this many orders in flight; beyond it new orders are counted as not offered. */
  maxInFlight?: number;
}

const FINAL = new Set(['settled', 'failed', 'payout_failed']);

// Ugandan numbers of the real length (256 + 9 digits): /pay refuses lengths a country's numbers do not have.
export const shopper = (i: number) => `25677${String(10_000_000 + (i % 5000)).slice(1)}`;

async function one(options: LoadOptions, i: number): Promise<OrderResult> {
  const { client } = options;
  const productId = DEMO_PRODUCT_IDS[i % DEMO_PRODUCT_IDS.length]!;
  const started = performance.now();
  const result: OrderResult = { payMs: null, finalMs: null, status: null, error: null };
  try {
    const placed = await client.request('POST', '/pay', {}, { productId, qty: 1, phone: (options.payer ?? shopper)(i) });
    result.payMs = performance.now() - started;
    const body = placed.body as { id?: string; status?: string };
    if (placed.status !== 202 && placed.status !== 200) throw new Error(`POST /pay answered ${placed.status}: ${JSON.stringify(placed.body).slice(0, 200)}`);
    result.status = body.status ?? null;
    if (options.placeOnly) return result;
    const deadline = started + (options.followMs ?? 60_000);
    while (!FINAL.has(result.status ?? '') && performance.now() < deadline) {
      const waitS = Math.max(1, Math.ceil((deadline - performance.now()) / 1000));
      const read = await client.request('GET', `/orders/${body.id}`, { prefer: `wait=${Math.min(waitS, 30)}` });
      if (read.status !== 200) throw new Error(`GET /orders answered ${read.status}`);
      result.status = (read.body as { status: string }).status;
    }
    if (!FINAL.has(result.status ?? '')) throw new Error(`still ${result.status} after ${options.followMs ?? 60_000} ms`);
    result.finalMs = performance.now() - started;
    if (result.status !== 'settled') result.error = `order ended ${result.status}`;
  } catch (error) {
    result.error = (error as Error).message;
  }
  return result;
}

export interface LoadRun {
  results: OrderResult[];
  /** From the first POST /pay to the last order seen final. */
  elapsedMs: number;
  /** Open loop only: orders dropped because maxInFlight was reached. */
  notOffered: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadRun> {
  const results: OrderResult[] = [];
  const started = performance.now();
  let notOffered = 0;
  if (options.pace.kind === 'closed') {
    let next = 0;
    const worker = async () => {
      while (next < options.orders) results.push(await one(options, next++));
    };
    await Promise.all(Array.from({ length: Math.min(options.pace.concurrency, options.orders) }, worker));
  } else {
    const interval = 1000 / options.pace.perSecond;
    const limit = options.maxInFlight ?? 5000;
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < options.orders; i++) {
      const due = started + i * interval;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      if (inFlight.size >= limit) {
        notOffered++;
        continue;
      }
      const task: Promise<void> = one(options, i).then((r) => {
        results.push(r);
        inFlight.delete(task);
      });
      inFlight.add(task);
    }
    await Promise.all(inFlight);
  }
  return { results, elapsedMs: performance.now() - started, notOffered };
}
