// Reconciliation against the real sandbox: a clean run finds nothing; after the sandbox's
// control API changes a transaction behind Sokoni's back, exactly that item is found, and an
// operator resolves it with a note. The CLI runs as a real process against a standalone sandbox.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import supertest from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { openDatabase, pendingMigrations } from '../../src/db';
import { silentLogger } from '../../src/log';
import { startSandbox } from '../../src/sandbox';
import { startSokoni } from '../../src/server';
import { storeDatabase } from '../db/test-database';
import { ADMIN_TOKEN, pay, quickWorker, sellerWithProduct, startStore, tempDir, type Store } from '../checkout/helpers';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const shopper = '256772123456';
// From yesterday, so a run just after midnight still covers orders placed just before it.
const today = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

/** The operator books the sandbox's opening balances, as they would MoMo's on the first day. */
async function bookOpeningBalances(http: ReturnType<typeof supertest>) {
  const { body } = await http.get('/balance').set(auth).expect(200);
  for (const account of ['collection', 'disbursement'] as const) {
    const minor = Math.round(Number(body[account].availableBalance) * 100);
    if (minor === 0) continue;
    await http.post('/api/books/journals').set(auth).send({
      currency: 'EUR', note: `Opening balance of the ${account} account`,
      lines: [{ account, amountMinor: minor }, { account: 'opening_equity', amountMinor: -minor }],
    }).expect(201);
  }
}

async function twoSettledOrders(http: ReturnType<typeof supertest>, store: Pick<Store, 'http'>) {
  await bookOpeningBalances(http);
  const { productId } = await sellerWithProduct(store as Store, '256772000777', 1500);
  const orders = [];
  for (let i = 0; i < 2; i++) {
    const placed = await pay(store as Store, { productId, qty: 1, phone: shopper }, 20);
    expect(placed.body.status).toBe('settled');
    orders.push(placed.body as { id: string; payment: { referenceId: string }; payout: { referenceId: string } });
  }
  return orders;
}

describe('POST /api/books/reconciliations', () => {
  it('finds nothing on a clean run, exactly the transaction changed behind our back, and keeps its resolution', async () => {
    const store = await startStore();
    cleanups.push(() => store.close());
    const orders = await twoSettledOrders(store.http, store);
    const run = () => store.http.post('/api/books/reconciliations').set(auth).send({ from: today(), to: tomorrow() });

    const clean = await run().expect(201);
    expect(clean.body).toMatchObject({ checked: 4, matched: 4, open: 0, items: [], unresolved: 0, error: null });

    store.control.rewriteTransaction(orders[1]!.payout.referenceId, { status: 'FAILED' });
    const found = await run().expect(201);
    expect(found.body.items).toEqual([expect.objectContaining({
      kind: 'status', referenceId: orders[1]!.payout.referenceId, orderId: orders[1]!.id, expected: 'SUCCESSFUL', actual: 'FAILED', resolvedAt: null,
    })]);
    expect(found.body.unresolved).toBe(1);

    const item = found.body.items[0].id;
    const resolve = (note: unknown) => store.http.post(`/api/books/reconciliation-items/${item}/resolve`).set(auth).send({ note });
    expect((await resolve('')).body.error.field).toBe('note');
    expect((await resolve('MTN confirmed the transfer reached the seller; their record was wrong')).status).toBe(200);
    expect((await resolve('again')).status).toBe(409);
    const kept = await store.http.get(`/api/books/reconciliations/${found.body.id}`).set(auth).expect(200);
    expect(kept.body).toMatchObject({ unresolved: 0, items: [{ resolvedBy: 'admin-token', resolutionNote: 'MTN confirmed the transfer reached the seller; their record was wrong' }] });
    // The next run finds the same difference and records it as already explained.
    const again = await run().expect(201);
    expect(again.body).toMatchObject({ unresolved: 0, items: [{ kind: 'status', referenceId: orders[1]!.payout.referenceId, resolutionNote: `as resolved in item ${item}: MTN confirmed the transfer reached the seller; their record was wrong` }] });
  });

  it('reports a balance that differs from the books, and refuses a period without both ends', async () => {
    const store = await startStore();
    cleanups.push(() => store.close());
    await twoSettledOrders(store.http, store);
    store.control.setBalance({ account: 'collection' }, 'EUR', '1');
    const { body } = await store.http.post('/api/books/reconciliations').set(auth).send({ from: today(), to: tomorrow() }).expect(201);
    expect(body.items).toEqual([expect.objectContaining({ kind: 'balance', account: 'collection', currency: 'EUR', expected: '30.00', actual: '1.00' })]);
    const bad = await store.http.post('/api/books/reconciliations').set(auth).send({ from: today() });
    expect([bad.status, bad.body.error.field]).toEqual([400, 'to']);
  });
});

function cli(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const loader = pathToFileURL(join(process.cwd(), 'node_modules/tsx/dist/loader.mjs')).href;
  const script = join(process.cwd(), 'src/books/reconcile-cli.ts');
  return new Promise((resolve) => {
    // A temp folder as working directory, so the checkout's .env is never read.
    execFile(process.execPath, ['--import', loader, script, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('npm run reconcile', () => {
  it('exits 0 on a clean run and 1 with exactly the changed amount, against a MoMo at MOMO_BASE_URL', async () => {
    const momo = await startSandbox({ approval: 'instant' }, { port: 0 });
    cleanups.push(() => momo.close());
    const temp = tempDir();
    cleanups.push(() => temp.remove());
    const database = await storeDatabase(temp.dir);
    cleanups.push(() => database.drop());
    const user = momo.sandbox.control.provision('localhost');
    const env: Record<string, string> = {
      ...database.env, MOMO_BASE_URL: momo.url, ...quickWorker, PORT: '0',
      COLLECTION_PRIMARY_KEY: 'key', COLLECTION_USER_ID: user.apiUser, COLLECTION_API_SECRET: user.apiKey,
      DISBURSEMENT_PRIMARY_KEY: 'key', DISBURSEMENT_USER_ID: user.apiUser, DISBURSEMENT_API_SECRET: user.apiKey,
    };
    const sokoni = await startSokoni(loadConfig(env), { log: silentLogger });
    const http = supertest(sokoni.url);
    const orders = await twoSettledOrders(http, { http });
    await sokoni.close();

    const clean = await cli(['--from', today(), '--to', tomorrow()], env, temp.dir);
    expect(clean.stdout).toContain('differences 0, unresolved 0');
    expect(clean.stderr).toContain('4/4');
    expect(clean.code).toBe(0);

    momo.sandbox.control.rewriteTransaction(orders[0]!.payment.referenceId, { amount: '14.00' });
    const found = await cli(['--from', today(), '--to', tomorrow()], env, temp.dir);
    expect(found.code).toBe(1);
    expect(found.stdout).toContain('differences 1, unresolved 1');
    expect(found.stdout).toContain(`amount ${orders[0]!.payment.referenceId} order ${orders[0]!.id} EUR: expected 15.00, MoMo says 14.00`);

    expect((await cli(['--from', 'yesterday'], env, temp.dir)).code).toBe(2);
    const embedded = await cli(['--from', today(), '--to', tomorrow()], database.env, temp.dir);
    expect(embedded.code).toBe(2);
    expect(embedded.stderr).toContain('POST /api/books/reconciliations');
  }, 60_000);

  it('refuses a database that is behind with exit 2, and leaves it unmigrated', async () => {
    const temp = tempDir();
    cleanups.push(() => temp.remove());
    const file = join(temp.dir, 'fresh.db');
    const userId = '6f0a5d0e-3b1c-4d2e-9f3a-1b2c3d4e5f60';
    const env = {
      DATABASE_PATH: file, MOMO_BASE_URL: 'http://127.0.0.1:9', COLLECTION_PRIMARY_KEY: 'key', COLLECTION_USER_ID: userId, COLLECTION_API_SECRET: 'secret',
      DISBURSEMENT_PRIMARY_KEY: 'key', DISBURSEMENT_USER_ID: userId, DISBURSEMENT_API_SECRET: 'secret',
    };
    const behind = await cli(['--from', today(), '--to', tomorrow()], env, temp.dir);
    expect(behind.code).toBe(2);
    expect(behind.stderr).toContain('is behind (001_initial.sql');
    expect(behind.stderr).toContain('npm run migrate');
    const db = openDatabase(file);
    cleanups.push(() => db.close());
    expect(pendingMigrations(db)).toContain('001_initial.sql');
  }, 60_000);
});
