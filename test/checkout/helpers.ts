// Starts the real Sokoni (embedded sandbox, real port, the suite's database: a real SQLite file in
// a temp folder, or a fresh PostgreSQL database in the postgres project) and gives tests what
// they need to drive it and to look behind it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { loadConfig, type Config } from '../../src/config';
import { DEMO_PRODUCT_IDS } from '../../src/db';
import { silentLogger, type Logger } from '../../src/log';
import { startSokoni, type Sokoni } from '../../src/server';
import { freePort } from '../../bench/ports';
import { countRows, onPostgres, storeDatabase } from '../db/test-database';

export { freePort };

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const demoProductId = DEMO_PRODUCT_IDS[0]!;

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sokoni-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Settings that make the workflow quick enough to watch in a test. */
export const quickWorker = {
  CHECK_FIRST_MS: '20',
  CHECK_MAX_MS: '200',
  MOMO_STATUS_READS_PER_S: '10000',
  MOMO_CREATES_PER_S: '10000',
  MOMO_MAX_RETRIES: '2',
  MOMO_TIMEOUT_MS: '2000',
  ACCESS_LOG: 'false',
  ADMIN_TOKEN,
};

export interface Store {
  sokoni: Sokoni;
  config: Config;
  http: ReturnType<typeof supertest>;
  control: NonNullable<Sokoni['sandbox']>['control'];
  dir: string;
  /** Closes whichever Sokoni `sokoni` is now (a test may restart it), then removes its database. */
  close(): Promise<void>;
}

/** `callbacks: true` sets PUBLIC_URL to the store itself, so MoMo's callbacks arrive. */
export async function startStore(env: Record<string, string> = {}, options: { callbacks?: boolean; log?: Logger } = {}): Promise<Store> {
  const temp = tempDir();
  const port = options.callbacks ? await freePort() : 0;
  const database = await storeDatabase(temp.dir);
  const config = loadConfig({
    PORT: String(port),
    ...database.env,
    SANDBOX_APPROVAL: 'instant',
    ...quickWorker,
    ...(options.callbacks ? { PUBLIC_URL: `http://127.0.0.1:${port}` } : {}),
    ...env,
  });
  const sokoni = await startSokoni(config, { log: options.log ?? silentLogger });
  if (sokoni.sql.dialect !== (onPostgres ? 'postgres' : 'sqlite')) throw new Error(`the postgres project's store runs on ${sokoni.sql.dialect}`);
  const store: Store = {
    sokoni,
    config,
    http: supertest(sokoni.url),
    control: sokoni.sandbox!.control,
    dir: temp.dir,
    async close() {
      await this.sokoni.close();
      await database.drop();
      temp.remove();
    },
  };
  return store;
}

export interface OrderJson {
  id: string;
  status: string;
  amountMinor: number;
  currency: string;
  phone: string;
  payment: { referenceId: string; status: string; reason: string | null; financialTransactionId: string | null };
  payout: { referenceId: string; status: string; reason: string | null; amountMinor: number; attempts: number } | null;
}

/** Reads the order until `done` says so; fails the test with the last state after `timeoutMs`. */
export async function waitForOrder(store: Store, id: string, done: (o: OrderJson) => boolean, timeoutMs = 15_000): Promise<OrderJson> {
  const deadline = Date.now() + timeoutMs;
  let order: OrderJson;
  do {
    order = (await store.http.get(`/orders/${id}`).set('accept', 'application/json').set('prefer', 'wait=1').expect(200)).body;
    if (done(order)) return order;
  } while (Date.now() < deadline);
  throw new Error(`order ${id} never reached the expected state; last: ${JSON.stringify(order)}`);
}

export const isFinal = (o: OrderJson) => ['settled', 'failed', 'payout_failed'].includes(o.status);

export async function pay(store: Store, body: Record<string, unknown>, wait = 0) {
  const req = store.http.post('/pay').set('accept', 'application/json');
  if (wait) req.set('prefer', `wait=${wait}`);
  return req.send(body);
}

/** A seller with this MSISDN and one product at this price, through the admin API. */
export async function sellerWithProduct(store: Store, msisdn: string, priceMinor = 1000, shareBps?: number): Promise<{ sellerId: string; productId: string }> {
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const seller = await store.http.post('/api/sellers').set(auth).send({ name: `Seller ${msisdn}`, msisdn, ...(shareBps === undefined ? {} : { shareBps }) }).expect(201);
  const product = await store.http
    .post('/api/products')
    .set(auth)
    .send({ sellerId: seller.body.id, name: `Goods of ${msisdn}`, priceMinor, currency: 'EUR' })
    .expect(201);
  return { sellerId: seller.body.id, productId: product.body.id };
}

export function count(store: Store, table: string): Promise<number> {
  return countRows(store.sokoni.sql, table);
}
