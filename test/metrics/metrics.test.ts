// GET /metrics over real HTTP on the real Sokoni: the figures move with a real order through
// the embedded sandbox, the text parses, and only this machine or the token's holder reads it.
import http from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { startSokoni, type Sokoni } from '../../src/server';
import { ADMIN_TOKEN, demoProductId, quickWorker, tempDir } from '../checkout/helpers';
import { parseExposition, type Exposition } from './exposition';

const METRICS_TOKEN = 'metrics-token-that-is-secret-0123';
const WRONG_TOKEN = 'a-wrong-metrics-token-456789';
const shopper = '256772123456';

interface Running {
  sokoni: Sokoni;
  http: ReturnType<typeof supertest>;
  lines: string[];
  close(): Promise<void>;
}

async function start(env: Record<string, string>): Promise<Running> {
  const temp = tempDir();
  const lines: string[] = [];
  const config = loadConfig({ PORT: '0', DATABASE_PATH: join(temp.dir, 'sokoni.db'), ...quickWorker, ACCESS_LOG: 'true', ...env });
  const sokoni = await startSokoni(config, {
    log: createLogger({ level: 'debug', write: (line) => lines.push(line) }),
    accessLogStream: { write: (line) => lines.push(line) > 0 },
  });
  return {
    sokoni,
    http: supertest(sokoni.url),
    lines,
    async close() {
      await sokoni.close();
      temp.remove();
    },
  };
}

async function scrape(store: Running): Promise<Exposition> {
  const res = await store.http.get('/metrics').expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(res.text);
}

/** Scrapes until `done` holds; fails with the last figures when it never does. */
async function scrapeUntil(store: Running, done: (m: Exposition) => boolean): Promise<Exposition> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const metrics = await scrape(store);
    if (done(metrics)) return metrics;
    if (Date.now() > deadline) throw new Error(`the figures never got there:\n${metrics.samples.map((s) => `${s.name} ${JSON.stringify([...s.labels])} ${s.value}`).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function placeOrder(store: Running): Promise<string> {
  const placed = await store.http.post('/pay').set('accept', 'application/json').send({ productId: demoProductId, qty: 1, phone: shopper }).expect(202);
  return placed.body.id as string;
}

async function waitForSettled(store: Running, orderId: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await store.http.get(`/orders/${orderId}`).set('accept', 'application/json').set('prefer', 'wait=1')).body.status !== 'settled') {
    if (Date.now() > deadline) throw new Error(`order ${orderId} never settled`);
  }
}

/** Opens the order's event stream and resolves once its first event has arrived. */
function openStream(store: Running, orderId: string): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${store.sokoni.url}/orders/${orderId}/events`, (res) => {
      res.once('data', () => resolve(req));
    });
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
  });
}

describe('GET /metrics', () => {
  let store: Running;
  beforeAll(async () => {
    store = await start({ SANDBOX_APPROVAL: 'handset', METRICS_TOKEN });
  });
  afterAll(() => store.close());

  it('parses, and names every family with its type', async () => {
    const metrics = await scrape(store);
    expect(Object.fromEntries(metrics.types)).toMatchObject({
      sokoni_orders: 'gauge',
      sokoni_movements_in_flight: 'gauge',
      sokoni_momo_calls_total: 'counter',
      sokoni_momo_call_duration_seconds: 'histogram',
      sokoni_momo_breaker_state: 'gauge',
      sokoni_worker_lag_seconds: 'gauge',
      sokoni_worker_failing: 'gauge',
      sokoni_worker_database_errors_total: 'counter',
      sokoni_sse_connections: 'gauge',
    });
    // Every status is there from the start, at 0.
    for (const status of ['pending', 'paid', 'settled', 'failed', 'payout_failed']) expect(metrics.value('sokoni_orders', { status })).toBe(0);
    expect(metrics.value('sokoni_momo_breaker_state', { product: 'collection', state: 'closed' })).toBe(1);
    expect(metrics.value('sokoni_momo_breaker_state', { product: 'disbursement', state: 'open' })).toBe(0);
    // Remittance has no credentials in Sokoni: it has no breaker worth showing.
    expect(metrics.value('sokoni_momo_breaker_state', { product: 'remittance', state: 'closed' })).toBeUndefined();
    expect(metrics.value('sokoni_worker_failing')).toBe(0);
    expect(metrics.value('sokoni_worker_database_errors_total')).toBe(0);
    expect(metrics.value('sokoni_worker_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('follows a real order: pending with its stream open, then settled, with the MoMo calls it took', async () => {
    const orderId = await placeOrder(store);
    const stream = await openStream(store, orderId);

    const waiting = await scrapeUntil(store, (m) => m.value('sokoni_movements_in_flight', { kind: 'collection', state: 'pending' }) === 1);
    expect(waiting.value('sokoni_orders', { status: 'pending' })).toBe(1);
    expect(waiting.value('sokoni_sse_connections')).toBe(1);
    expect(waiting.value('sokoni_momo_calls_total', { operation: 'collection.requestToPay', outcome: 'ok' })).toBe(1);
    expect(waiting.value('sokoni_momo_call_duration_seconds_count', { operation: 'collection.requestToPay' })).toBe(1);
    expect(waiting.value('sokoni_momo_call_duration_seconds_bucket', { operation: 'collection.requestToPay', le: '+Inf' })).toBe(1);

    const [request] = store.sokoni.sandbox!.control.pending(shopper);
    store.sokoni.sandbox!.control.approve(request!.referenceId, '1234');
    await waitForSettled(store, orderId);

    const settled = await scrapeUntil(store, (m) => m.value('sokoni_sse_connections') === 0 && m.value('sokoni_orders', { status: 'settled' }) === 1);
    stream.destroy();
    expect(settled.value('sokoni_orders', { status: 'pending' })).toBe(0);
    expect(settled.value('sokoni_movements_in_flight', { kind: 'collection', state: 'pending' })).toBe(0);
    expect(settled.value('sokoni_movements_in_flight', { kind: 'payout', state: 'pending' })).toBe(0);
    expect(settled.value('sokoni_momo_calls_total', { operation: 'disbursement.transfer', outcome: 'ok' })).toBe(1);
    expect(settled.value('sokoni_momo_calls_total', { operation: 'collection.getRequestToPay', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(settled.value('sokoni_momo_calls_total', { operation: 'disbursement.getTransfer', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
  });

  it('a stream closed by the shopper is no longer counted', async () => {
    const stream = await openStream(store, await placeOrder(store));
    await scrapeUntil(store, (m) => m.value('sokoni_sse_connections') === 1);
    stream.destroy();
    await scrapeUntil(store, (m) => m.value('sokoni_sse_connections') === 0);
  });

  it('a forwarded request needs the token: none or a wrong one is 401, the right one 200', async () => {
    const forwarded = { 'x-forwarded-for': '203.0.113.7' };
    const none = await store.http.get('/metrics').set(forwarded).expect(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(none.body.error.code).toBe('unauthorized');
    await store.http.get('/metrics').set(forwarded).set('authorization', `Bearer ${WRONG_TOKEN}`).expect(401);
    // A proxy that uses the standard Forwarded header is a proxy too.
    await store.http.get('/metrics').set('forwarded', 'for=203.0.113.7').expect(401);
    const right = await store.http.get('/metrics').set(forwarded).set('authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
    expect(parseExposition(right.text).types.get('sokoni_orders')).toBe('gauge');
  });

  it('never writes the token, right or wrong, to a log', async () => {
    await store.http.get('/metrics').set('x-forwarded-for', '203.0.113.7').set('authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
    await store.http.get('/metrics').set('x-forwarded-for', '203.0.113.7').set('authorization', `Bearer ${WRONG_TOKEN}`).expect(401);
    // The access log saw the requests, so the check below looks where the token could have gone.
    expect(store.lines.filter((line) => line.includes('"GET /metrics"')).length).toBeGreaterThanOrEqual(2);
    for (const line of store.lines) {
      expect(line).not.toContain(METRICS_TOKEN);
      expect(line).not.toContain(WRONG_TOKEN);
    }
  });
});

describe('GET /metrics without METRICS_TOKEN', () => {
  let store: Running;
  beforeAll(async () => {
    store = await start({ SANDBOX_APPROVAL: 'instant', HOST: '0.0.0.0' });
  });
  afterAll(() => store.close());

  it('answers this machine only: a forwarded request is 403, also with a bearer', async () => {
    await scrape(store);
    const refused = await store.http.get('/metrics').set('x-forwarded-for', '127.0.0.1').expect(403);
    expect(refused.body.error.code).toBe('forbidden');
    await store.http.get('/metrics').set('x-forwarded-for', '203.0.113.7').set('authorization', `Bearer ${ADMIN_TOKEN}`).expect(403);
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((address) => address !== undefined && address.family === 'IPv4' && !address.internal)?.address;
  it.skipIf(external === undefined)(`refuses a caller on another address of this machine (${external ?? 'none here'})`, async () => {
    const port = new URL(store.sokoni.url).port;
    await supertest(`http://${external}:${port}`).get('/metrics').expect(403);
  });

  it('counts its own figures: another Sokoni in this process does not share its registry', async () => {
    const metrics = await scrape(store);
    expect(metrics.value('sokoni_momo_calls_total', { operation: 'collection.requestToPay', outcome: 'ok' })).toBeUndefined();
  });
});

describe('METRICS_TOKEN', () => {
  it('is off by default, and a short one stops start-up naming the variable, never its value', () => {
    expect(loadConfig({}).metricsToken).toBeNull();
    expect(loadConfig({ METRICS_TOKEN }).metricsToken).toBe(METRICS_TOKEN);
    let error: unknown;
    try {
      loadConfig({ METRICS_TOKEN: 'short-secret' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('METRICS_TOKEN: must be at least 16 characters');
    expect((error as ConfigError).message).not.toContain('short-secret');
  });
});
