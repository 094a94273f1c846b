// "SUCCESSFUL" is not enough: the amount and currency must be exactly those requested. No MoMo
// (and not the sandbox) reports another amount on purpose, so the real provider, talking to the
// real sandbox, is wrapped to alter what its status reads say.
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PRODUCT_IDS } from '../../src/db';
import type { ProviderTransaction } from '../../src/providers';
import { checkoutWithAlteredReads, finalOf } from './altered-reads';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});


describe('a SUCCESSFUL payment for another amount or currency', () => {
  it.each([
    ['a smaller amount', (tx: ProviderTransaction) => ({ ...tx, amountMinor: tx.amountMinor! - 1 })],
    ['an unreadable amount', (tx: ProviderTransaction) => ({ ...tx, amountMinor: null })],
    ['another currency', (tx: ProviderTransaction) => ({ ...tx, currency: 'UGX' })],
  ])('%s fails the order and pays nobody', async (_name, alter) => {
    const { checkout, control } = await checkoutWithAlteredReads(alter, cleanups);
    const { snapshot } = await checkout.placeOrder({ productId: DEMO_PRODUCT_IDS[0]!, qty: 1, msisdn: '256772123456', idempotencyKey: null });
    const done = await finalOf(checkout, snapshot.order.id);
    expect(done.order.status).toBe('failed');
    expect(done.payment).toMatchObject({ status: 'failed', reason: 'AMOUNT_MISMATCH' });
    expect(done.payout).toBeNull();
    expect(control.transactions({ product: 'disbursement' })).toHaveLength(0);
  });

  it('the same wrapper passing the amount through settles (the test above can fail)', async () => {
    const { checkout, control } = await checkoutWithAlteredReads((tx) => tx, cleanups);
    const { snapshot } = await checkout.placeOrder({ productId: DEMO_PRODUCT_IDS[0]!, qty: 1, msisdn: '256772123456', idempotencyKey: null });
    expect((await finalOf(checkout, snapshot.order.id)).order.status).toBe('settled');
    expect(control.transactions({ product: 'disbursement' })).toHaveLength(1);
  });
});
