// The console's order list at size: `npm run bench:orders`. Writes 10,000 final orders (with
// their movements) into a fresh database, starts the real Sokoni on it, and times GET
// /api/orders over HTTP with an API key: the first page, the 500th (20 a page, reached by
// following `next`), a status filter and a phone-digits search. The target (issue #13): the
// first and the 500th page each answer in under 50 ms.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createAccounts } from '../src/accounts';
import { readArgs } from '../src/cli-args';
import { loadConfig } from '../src/config';
import { applyMigrations, demoSeedOptions, DEMO_PRODUCT_IDS, ensureDemoCatalogue, openDatabase, SqliteSql, type Database } from '../src/db';
import { silentLogger } from '../src/log';
import { startSokoni } from '../src/server';

readArgs({
  name: 'npm run bench:orders',
  usage: `usage: npm run bench:orders

Writes 10,000 final orders into a fresh database, starts Sokoni on it, and times GET /api/orders
over HTTP: the first page, the 500th (20 a page), a status filter and a phone-digits search, each
20 times. The target (issue #13): the first and the 500th page under 50 ms. Takes no options.`,
  options: {},
});

const ORDERS = 10_000;
const PAGE = 20;
const TARGET_MS = 50;
const RUNS = 20;

function seedOrders(db: Database): void {
  const products = DEMO_PRODUCT_IDS.map((id) => db.prepare('SELECT id, seller_id AS sellerId, price_minor AS price, currency FROM products WHERE id = ?').get(id) as {
    id: string; sellerId: string; price: number; currency: string;
  });
  const order = db.prepare(`INSERT INTO orders (id, product_id, seller_id, qty, unit_price_minor, amount_minor, currency, seller_share_bps,
    seller_amount_minor, platform_amount_minor, payer_msisdn, status, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?, 8000, ?, ?, ?, ?, ?, ?)`);
  const movement = db.prepare(`INSERT INTO movements (order_id, kind, provider, party_msisdn, amount_minor, currency, reference_id, status, reason,
    financial_transaction_id, created_at, updated_at) VALUES (?, ?, 'momo', ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const statuses = ['settled', 'settled', 'settled', 'failed', 'payout_failed'] as const;
  const start = Date.now() - ORDERS * 60_000;
  db.transaction(() => {
    for (let i = 0; i < ORDERS; i += 1) {
      const p = products[i % products.length]!;
      const id = randomUUID();
      const at = start + i * 60_000;
      const status = statuses[i % statuses.length]!;
      const seller = Math.floor((p.price * 8000) / 10_000);
      const phone = `2567720${String(i).padStart(5, '0')}`;
      order.run(id, p.id, p.sellerId, p.price, p.price, p.currency, seller, p.price - seller, phone, status, at, at);
      movement.run(id, 'collection', phone, p.price, p.currency, randomUUID(), status === 'failed' ? 'failed' : 'successful',
        status === 'failed' ? 'APPROVAL_REJECTED' : null, status === 'failed' ? null : String(1_000_000 + i), at, at);
      if (status !== 'failed') {
        movement.run(id, 'payout', '256772000001', seller, p.currency, randomUUID(), status === 'settled' ? 'successful' : 'failed',
          status === 'settled' ? null : 'NOT_ENOUGH_FUNDS', status === 'settled' ? String(2_000_000 + i) : null, at, at);
      }
    }
  })();
}

async function timed(url: string, key: string): Promise<{ ms: number; body: { orders: unknown[]; next: string | null } }> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${key}`, accept: 'application/json' } });
  const body = (await res.json()) as { orders: unknown[]; next: string | null };
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${JSON.stringify(body)}`);
  return { ms, body };
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

const dir = mkdtempSync(join(tmpdir(), 'sokoni-bench-orders-'));
try {
  const databasePath = join(dir, 'sokoni.db');
  const db = openDatabase(databasePath);
  applyMigrations(db);
  await ensureDemoCatalogue(new SqliteSql(db), demoSeedOptions('sandbox', 8000)!);
  seedOrders(db);
  const owner = await createAccounts({ db: new SqliteSql(db), owner2fa: false }).createPerson(null, { email: 'bench@example.com', role: 'viewer', password: 'bench passphrase 2026' });
  db.close();

  const sokoni = await startSokoni(loadConfig({ DATABASE_PATH: databasePath, PORT: '0', ACCESS_LOG: 'false', SANDBOX_APPROVAL: 'instant' }), { log: silentLogger });
  try {
    const accounts = createAccounts({ db: sokoni.sql, owner2fa: false });
    const { key } = await accounts.createApiKey({ caller: { personId: owner.id, email: owner.email, role: 'viewer', via: 'session', mustEnrol: false }, address: null }, 'bench');
    const base = `${sokoni.url}/api/orders?limit=${PAGE}`;

    // Walk to page 500 once to learn its cursor (the last page of 10,000 at 20 a page).
    let cursor: string | null = null;
    for (let page = 1; page < 500; page += 1) {
      const { body } = await timed(cursor ? `${base}&cursor=${cursor}` : base, key);
      cursor = body.next;
      if (!cursor) throw new Error(`the list ended at page ${page}`);
    }
    const cases: [string, string][] = [
      ['first page', base],
      ['500th page', `${base}&cursor=${cursor}`],
      ['status=payout_failed, first page', `${base}&status=payout_failed`],
      ['q=last 4 phone digits', `${base}&q=0777`],
    ];
    console.log(`${ORDERS} orders, ${PAGE} a page, ${RUNS} runs each (after one warm-up)\n`);
    console.log('| Request | p50 ms | max ms | rows | target |');
    console.log('|---|---|---|---|---|');
    let failed = false;
    for (const [name, url] of cases) {
      await timed(url, key);
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < RUNS; i += 1) {
        const { ms, body } = await timed(url, key);
        times.push(ms);
        rows = body.orders.length;
      }
      const paged = name === 'first page' || name === '500th page';
      const ok = percentile(times, 50) < TARGET_MS;
      if (paged && !ok) failed = true;
      console.log(`| ${name} | ${percentile(times, 50).toFixed(1)} | ${Math.max(...times).toFixed(1)} | ${rows} | ${paged ? (ok ? `< ${TARGET_MS} ms ✓` : `✗ over ${TARGET_MS} ms`) : '—'} |`);
    }
    if (failed) process.exitCode = 1;
  } finally {
    await sokoni.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
