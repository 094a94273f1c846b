// A checkout whose provider is the real MoMo adapter against the real sandbox, with its
// collection status reads altered by the test: no MoMo reports another amount on purpose, so
// this is how the exact-amount rule (and the books' suspense) are seen at work.
import { join } from 'node:path';
import { createCheckout, type Checkout, type CheckoutOptions } from '../../src/checkout';
import { loadConfig } from '../../src/config';
import { applyMigrations, demoSeedOptions, ensureDemoCatalogue, openDatabase, SqliteSql, type Database } from '../../src/db';
import { silentLogger } from '../../src/log';
import { createMomoClient } from '../../src/momo';
import { createMomoProvider, type PaymentProvider, type ProviderTransaction } from '../../src/providers';
import { startSandbox, type SandboxControl } from '../../src/sandbox';
import { tempDir } from './helpers';

export interface AlteredCheckout {
  checkout: Checkout;
  /** The checkout's executor, and the SQLite connection under it for rooms not on the port yet. */
  sql: SqliteSql;
  db: Database;
  control: SandboxControl;
}

/**
 * Everything it starts is stopped by the functions it pushes onto `cleanups`, run in reverse.
 * `options` go to createCheckout as they are.
 */
export async function checkoutWithAlteredReads(
  alter: (tx: ProviderTransaction) => ProviderTransaction, cleanups: (() => unknown)[], options: Pick<CheckoutOptions, 'forSale' | 'orderChanges'> = {},
): Promise<AlteredCheckout> {
  const sandbox = await startSandbox({ approval: 'instant' }, { port: 0 });
  cleanups.push(() => sandbox.close());
  const temp = tempDir();
  cleanups.push(() => temp.remove());
  const db = openDatabase(join(temp.dir, 'sokoni.db'));
  cleanups.push(() => db.close());
  applyMigrations(db);
  await ensureDemoCatalogue(new SqliteSql(db), demoSeedOptions('sandbox', 8000)!);
  const user = sandbox.sandbox.control.provision('localhost');
  const credentials = { subscriptionKey: 'k', apiUser: user.apiUser, apiKey: user.apiKey };
  const client = createMomoClient({ baseUrl: sandbox.url, targetEnvironment: 'sandbox', credentials: { collection: credentials, disbursement: credentials } });
  const real = createMomoProvider(client, { approvalWindowMs: 300_000, targetEnvironment: 'sandbox' });
  const altered: PaymentProvider = {
    ...real,
    read: async (kind, reference) => {
      const tx = await real.read(kind, reference);
      return tx && kind === 'collection' ? alter(tx) : tx;
    },
  };
  const sql = new SqliteSql(db);
  const checkout = createCheckout({
    sql, providers: [altered], settings: loadConfig({ CHECK_FIRST_MS: '20', CHECK_MAX_MS: '100' }).worker,
    log: silentLogger, callbackUrl: () => null, ...options,
  });
  await checkout.start();
  cleanups.push(() => checkout.stop());
  return { checkout, sql, db, control: sandbox.sandbox.control };
}

/** The order once final, or as it is after 10 s. */
export async function finalOf(checkout: Checkout, orderId: string) {
  const deadline = Date.now() + 10_000;
  let snapshot = (await checkout.snapshot(orderId))!;
  while (!['settled', 'failed', 'payout_failed'].includes(snapshot.order.status) && Date.now() < deadline) {
    await checkout.nextChange(orderId, 500);
    snapshot = (await checkout.snapshot(orderId))!;
  }
  return snapshot;
}
