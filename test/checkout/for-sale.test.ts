// Whether a product is for sale is the catalogue's to say, through the check the composition root
// hands the checkout, judged on the product as placing the order read it.
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PRODUCT_IDS } from '../../src/db';
import { countRows } from '../db/test-database';
import { checkoutWithAlteredReads } from './altered-reads';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const [onSale, withdrawn] = [DEMO_PRODUCT_IDS[0]!, DEMO_PRODUCT_IDS[1]!];

describe("the catalogue's for-sale check", () => {
  it('an order for a product not for sale is refused and written nowhere; one for sale is placed', async () => {
    const { checkout, sql } = await checkoutWithAlteredReads((tx) => tx, cleanups, { forSale: (product) => product.id !== withdrawn });
    await expect(checkout.placeOrder({ productId: withdrawn, qty: 1, msisdn: '256772123456', idempotencyKey: null }))
      .rejects.toMatchObject({ kind: 'refused', code: 'product_inactive', field: 'productId' });
    expect(await countRows(sql, 'orders')).toBe(0);
    const { snapshot, created } = await checkout.placeOrder({ productId: onSale, qty: 1, msisdn: '256772123456', idempotencyKey: null });
    expect(created).toBe(true);
    expect(snapshot.order.productId).toBe(onSale);
  });
});
