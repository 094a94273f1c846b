// A payment MoMo reports SUCCESSFUL for another amount fails its order (AMOUNT_MISMATCH), but the
// money did arrive: the books hold it in suspense. The real provider, against the real sandbox,
// is wrapped to alter its status reads (no MoMo does this on purpose).
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCheckout, type Checkout } from '../../src/checkout';
import { loadConfig } from '../../src/config';
import { applyMigrations, DEMO_PRODUCT_IDS, demoSeedOptions, ensureDemoCatalogue, openDatabase, type Database } from '../../src/db';
import { silentLogger } from '../../src/log';
import { createMomoClient } from '../../src/momo';
import { createMomoProvider, type PaymentProvider, type ProviderTransaction } from '../../src/providers';
import { startSandbox } from '../../src/sandbox';
import { tempDir } from '../checkout/helpers';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function checkoutWith(alter: (tx: ProviderTransaction) => ProviderTransaction): Promise<{ checkout: Checkout; db: Database }> {
  const sandbox = await startSandbox({ approval: 'instant' }, { port: 0 });
  cleanups.push(() => sandbox.close());
  const temp = tempDir();
  cleanups.push(() => temp.remove());
  const db = openDatabase(join(temp.dir, 'sokoni.db'));
  cleanups.push(() => db.close());
  applyMigrations(db);
  ensureDemoCatalogue(db, demoSeedOptions('sandbox', 8000)!);
  const user = sandbox.sandbox.control.provision('localhost');
  const credentials = { subscriptionKey: 'k', apiUser: user.apiUser, apiKey: user.apiKey };
  const real = createMomoProvider(createMomoClient({ baseUrl: sandbox.url, targetEnvironment: 'sandbox', credentials: { collection: credentials, disbursement: credentials } }), { approvalWindowMs: 300_000, targetEnvironment: 'sandbox' });
  const altered: PaymentProvider = { ...real, read: async (kind, reference) => {
    const tx = await real.read(kind, reference);
    return tx && kind === 'collection' ? alter(tx) : tx;
  } };
  const checkout = createCheckout({ db, providers: [altered], settings: loadConfig({ CHECK_FIRST_MS: '20', CHECK_MAX_MS: '100' }).worker, log: silentLogger, callbackUrl: () => null });
  checkout.start();
  cleanups.push(() => checkout.stop());
  return { checkout, db };
}

async function final(checkout: Checkout, orderId: string) {
  const deadline = Date.now() + 10_000;
  while (!['settled', 'failed', 'payout_failed'].includes(checkout.snapshot(orderId)!.order.status) && Date.now() < deadline) await checkout.nextChange(orderId, 500);
  return checkout.snapshot(orderId)!;
}

const entries = (db: Database) => db.prepare(`SELECT j.kind, e.account, e.currency, e.amount_minor AS amountMinor FROM entries e JOIN journals j ON j.id = e.journal_id ORDER BY e.id`).all();

describe('money that arrived against a failed order', () => {
  it('a SUCCESSFUL payment for less is posted to suspense, for what arrived', async () => {
    const { checkout, db } = await checkoutWith((tx) => ({ ...tx, amountMinor: tx.amountMinor! - 1 }));
    const { snapshot } = await checkout.placeOrder({ productId: DEMO_PRODUCT_IDS[0]!, qty: 1, msisdn: '256772123456', idempotencyKey: null });
    const done = await final(checkout, snapshot.order.id);
    expect(done.payment).toMatchObject({ status: 'failed', reason: 'AMOUNT_MISMATCH' });
    const arrived = done.order.amountMinor - 1;
    expect(entries(db)).toEqual([
      { kind: 'suspense', account: 'collection', currency: 'EUR', amountMinor: arrived },
      { kind: 'suspense', account: 'suspense', currency: 'EUR', amountMinor: -arrived },
    ]);
  });

  it('an unreadable amount posts nothing (reconciliation reports it), and the order still fails', async () => {
    const { checkout, db } = await checkoutWith((tx) => ({ ...tx, amountMinor: null }));
    const { snapshot } = await checkout.placeOrder({ productId: DEMO_PRODUCT_IDS[0]!, qty: 1, msisdn: '256772123456', idempotencyKey: null });
    expect((await final(checkout, snapshot.order.id)).order.status).toBe('failed');
    expect(entries(db)).toEqual([]);
  });
});
