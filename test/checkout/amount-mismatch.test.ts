// "SUCCESSFUL" is not enough: the amount and currency must be exactly those requested. No MoMo
// (and not the sandbox) reports another amount on purpose, so the real provider, talking to the
// real sandbox, is wrapped to alter what its status reads say.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCheckout } from '../../src/checkout';
import { loadConfig } from '../../src/config';
import { applyMigrations, DEMO_PRODUCT_IDS, demoSeedOptions, ensureDemoCatalogue, openDatabase } from '../../src/db';
import { silentLogger } from '../../src/log';
import { createMomoClient } from '../../src/momo';
import { createMomoProvider, type PaymentProvider, type ProviderTransaction } from '../../src/providers';
import { startSandbox } from '../../src/sandbox';
import { tempDir } from './helpers';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function checkoutWith(alter: (tx: ProviderTransaction) => ProviderTransaction) {
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
  const client = createMomoClient({ baseUrl: sandbox.url, targetEnvironment: 'sandbox', credentials: { collection: credentials, disbursement: credentials } });
  const real = createMomoProvider(client, { approvalWindowMs: 300_000, targetEnvironment: 'sandbox' });
  const altered: PaymentProvider = {
    ...real,
    read: async (kind, reference) => {
      const tx = await real.read(kind, reference);
      return tx && kind === 'collection' ? alter(tx) : tx;
    },
  };
  const checkout = createCheckout({
    db, providers: [altered], settings: loadConfig({ CHECK_FIRST_MS: '20', CHECK_MAX_MS: '100' }).worker,
    log: silentLogger, callbackUrl: () => null,
  });
  checkout.start();
  cleanups.push(() => checkout.stop());
  return { checkout, control: sandbox.sandbox.control };
}

async function finalOf(checkout: Awaited<ReturnType<typeof checkoutWith>>['checkout'], orderId: string) {
  const deadline = Date.now() + 10_000;
  while (!['settled', 'failed', 'payout_failed'].includes(checkout.snapshot(orderId)!.order.status) && Date.now() < deadline) {
    await checkout.nextChange(orderId, 500);
  }
  return checkout.snapshot(orderId)!;
}

describe('a SUCCESSFUL payment for another amount or currency', () => {
  it.each([
    ['a smaller amount', (tx: ProviderTransaction) => ({ ...tx, amountMinor: tx.amountMinor! - 1 })],
    ['an unreadable amount', (tx: ProviderTransaction) => ({ ...tx, amountMinor: null })],
    ['another currency', (tx: ProviderTransaction) => ({ ...tx, currency: 'UGX' })],
  ])('%s fails the order and pays nobody', async (_name, alter) => {
    const { checkout, control } = await checkoutWith(alter);
    const { snapshot } = await checkout.placeOrder({ productId: DEMO_PRODUCT_IDS[0]!, qty: 1, msisdn: '256772123456', idempotencyKey: null });
    const done = await finalOf(checkout, snapshot.order.id);
    expect(done.order.status).toBe('failed');
    expect(done.payment).toMatchObject({ status: 'failed', reason: 'AMOUNT_MISMATCH' });
    expect(done.payout).toBeNull();
    expect(control.transactions({ product: 'disbursement' })).toHaveLength(0);
  });

  it('the same wrapper passing the amount through settles (the test above can fail)', async () => {
    const { checkout, control } = await checkoutWith((tx) => tx);
    const { snapshot } = await checkout.placeOrder({ productId: DEMO_PRODUCT_IDS[0]!, qty: 1, msisdn: '256772123456', idempotencyKey: null });
    expect((await finalOf(checkout, snapshot.order.id)).order.status).toBe('settled');
    expect(control.transactions({ product: 'disbursement' })).toHaveLength(1);
  });
});
