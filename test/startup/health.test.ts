// Liveness, readiness, and what a client sees while Sokoni starts: over real HTTP on the real
// store (embedded sandbox, SQLite file in a temp folder).
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { DEMO_PRODUCT_IDS } from '../../src/db';
import { silentLogger } from '../../src/log';
import { startSokoni, type Sokoni } from '../../src/server';
import { freePort, quickWorker, startStore, tempDir, type Store } from '../checkout/helpers';

let store: Store | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await store?.close();
  store = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function send(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('GET /healthz and /readyz', () => {
  it('answer 200 with a check per part once started, never cached, without Express headers', async () => {
    store = await startStore();
    const health = await send(`${store.sokoni.url}/healthz`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toEqual({ status: 'ok' });
    const ready = await send(`${store.sokoni.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({
      status: 'ready',
      checks: {
        startup: { ok: true, detail: 'started' },
        database: { ok: true, detail: 'writable' },
        momo: { ok: true, detail: 'collection closed, disbursement closed' },
        worker: { ok: true, detail: expect.stringMatching(/^lag \d+ ms$/) },
      },
    });
    for (const answer of [health, ready]) {
      expect(answer.headers.get('x-powered-by')).toBeNull();
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    }
    expect((await send(`${store.sokoni.url}/readyz`, { method: 'POST' })).status).toBe(405);
  });

  it('/readyz answers 503 naming the database while another process holds its write lock, and at once', async () => {
    store = await startStore();
    const other = new BetterSqlite3(store.config.databasePath);
    cleanups.push(() => void other.close());
    other.exec('BEGIN IMMEDIATE');
    const held = await send(`${store.sokoni.url}/readyz`);
    expect(held.status).toBe(503);
    expect(held.headers.get('retry-after')).toBe('1');
    expect(JSON.parse(held.text)).toMatchObject({ status: 'not_ready', checks: { database: { ok: false, detail: 'locked by another process' } } });
    // /healthz says the process lives; the lock is not its business.
    expect((await send(`${store.sokoni.url}/healthz`)).status).toBe(200);
    other.exec('ROLLBACK');
    expect((await send(`${store.sokoni.url}/readyz`)).status).toBe(200);
  });
});

describe('while the embedded sandbox provisions, before the app is complete', () => {
  it('answers 503 `starting` as JSON with Retry-After, never Express\'s HTML 404; /healthz is 200 and /readyz 503', async () => {
    const temp = tempDir();
    cleanups.push(() => temp.remove());
    const port = await freePort();
    const config = loadConfig({ PORT: String(port), DATABASE_PATH: join(temp.dir, 'sokoni.db'), ...quickWorker });
    const url = `http://127.0.0.1:${port}`;
    let sokoni: Sokoni | undefined;
    const starting = startSokoni(config, { log: silentLogger }).then((s) => (sokoni = s));
    cleanups.push(async () => (await starting).close());

    // Asked again and again from the moment the port opens until startSokoni resolves: the
    // provisioning calls to the embedded sandbox leave the event loop free between them.
    const early: { pay: Answer; health: Answer; ready: Answer }[] = [];
    while (!sokoni) {
      try {
        const body = JSON.stringify({ productId: DEMO_PRODUCT_IDS[0], qty: 1, phone: '256772123456' });
        const [pay, health, ready] = await Promise.all([
          send(`${url}/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
          send(`${url}/healthz`),
          send(`${url}/readyz`),
        ]);
        if (!sokoni) early.push({ pay, health, ready });
      } catch {
        // Not listening yet.
      }
    }
    expect(early.length).toBeGreaterThan(0);
    for (const { pay, health, ready } of early.filter((e) => e.pay.status === 503)) {
      expect(pay.headers.get('content-type')).toMatch(/^application\/json/);
      expect(pay.headers.get('x-powered-by')).toBeNull();
      expect(pay.headers.get('retry-after')).toBe('1');
      expect(JSON.parse(pay.text)).toEqual({ error: { code: 'starting', message: expect.stringContaining('starting') } });
      expect(health.status).toBe(200);
      expect([503, 200]).toContain(ready.status);
    }
    // Before the fix these were Express's `Cannot POST /pay` page; now none is anything but JSON.
    for (const { pay } of early) expect(pay.text).not.toMatch(/Cannot POST|<html|<!DOCTYPE/i);
    expect(early.some((e) => e.pay.status === 503 && e.ready.status === 503)).toBe(true);
    expect((await send(`${url}/readyz`)).status).toBe(200);
  });
});
