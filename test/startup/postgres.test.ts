// Sokoni on PostgreSQL (issue #17): DATABASE_URL set, the real start-up on a fresh database of
// the run's throwaway cluster, an order through the embedded sandbox over real HTTP, and
// /readyz while the database does and does not answer.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { createLogger, silentLogger } from '../../src/log';
import { startSokoni } from '../../src/server';
import { demoProductId, isFinal, pay, quickWorker, tempDir, waitForOrder, type Store } from '../checkout/helpers';
import { freshPostgres, postgres } from '../db/postgres-helpers';
import supertest from 'supertest';

if (postgres.url === null) console.warn(`PostgreSQL tests skipped: ${postgres.skipped}`);

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startOnPostgres(url: string, env: Record<string, string> = {}): Promise<Store> {
  const temp = tempDir();
  cleanups.push(temp.remove);
  // DATABASE_PATH points at a folder that is never made: on PostgreSQL it must not be used.
  const config = loadConfig({ PORT: '0', DATABASE_URL: url, DATABASE_PATH: `${temp.dir}/unused/sokoni.db`, SANDBOX_DATABASE_PATH: ':memory:', SANDBOX_APPROVAL: 'instant', ...quickWorker, ...env });
  const sokoni = await startSokoni(config, { log: process.env.PG_DEBUG ? createLogger() : silentLogger });
  const store: Store = { sokoni, config, http: supertest(sokoni.url), control: sokoni.sandbox!.control, dir: temp.dir, close: () => sokoni.close() };
  cleanups.push(store.close);
  return store;
}

describe.skipIf(postgres.url === null)('Sokoni with DATABASE_URL', () => {
  it('starts on a fresh database, shows the demo shop and takes an order to settled', async () => {
    const fresh = await freshPostgres();
    cleanups.push(fresh.drop);
    const store = await startOnPostgres(fresh.url);

    expect((await store.http.get('/readyz').expect(200)).body.checks.database).toEqual({ ok: true, detail: 'answering' });
    const page = await store.http.get('/').expect(200);
    expect(page.text).toContain('Woven papyrus basket');
    expect(page.text).toContain('Beaded sandals');

    const placed = await pay(store, { productId: demoProductId, qty: 2, phone: '+256 772 123456' });
    expect(placed.status).toBe(202);
    const order = await waitForOrder(store, placed.body.id as string, isFinal);
    expect(order).toMatchObject({ status: 'settled', amountMinor: 2500, payment: { status: 'successful' }, payout: { status: 'successful', amountMinor: 2000 } });
    // Written to PostgreSQL, not to a SQLite file.
    expect(await fresh.sql.get('SELECT status FROM orders WHERE id = ?', [order.id])).toEqual({ status: 'settled' });
    expect(() => store.sokoni.db).toThrow(/PostgreSQL/);
  });
});
