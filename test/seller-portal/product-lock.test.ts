// An operator locks a product from the console's product page (audited); the seller's changes to
// it are then refused with a clear message, audited as refused, and nothing is written; once
// unlocked, the seller may change it again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionContext } from '../../src/accounts';
import { DomainError } from '../../src/domain-error';
import { sellerWithProduct } from '../checkout/helpers';
import { auditRowsOf, signedIn, startConsole, type Browser, type ConsoleStore } from '../console/helpers';

let store: ConsoleStore;
let operator: Browser;

beforeAll(async () => {
  store = await startConsole();
  operator = await signedIn(store, 'operator');
});
afterAll(() => store?.close());

const seller: ActionContext = {
  caller: { personId: null, email: 'seller@sellers.test', role: 'viewer', via: 'session', mustEnrol: false }, address: null,
};

describe('product lock', () => {
  it('a locked product refuses its seller’s change by name and keeps its price; unlocked, the change goes through', async () => {
    const { sellerId, productId } = await sellerWithProduct(store, '256772000606', 1000);
    const portal = store.sokoni.sellers;

    const page = await operator.get(`/admin/products/${productId}`);
    expect(page.text).toContain('Lock product');
    const locked = await operator.post(`/admin/products/${productId}/lock`, {}, { from: `/admin/products/${productId}` });
    expect(locked.status).toBe(303);
    expect((await operator.get(`/admin/products/${productId}`)).text).toContain('Unlock product');
    expect(await auditRowsOf(store, 'product.lock')).toEqual([expect.objectContaining({ actorEmail: 'operator@example.com', objectId: productId, outcome: 'done', after: '{"locked":true}' })]);

    let refusal: unknown;
    try {
      await portal.updateProduct(seller, sellerId, productId, { priceMinor: 5000 });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({ kind: 'refused', code: 'product_locked', message: expect.stringContaining('locked this product') });
    expect(await portal.product(sellerId, productId)).toMatchObject({ priceMinor: 1000, locked: true });
    expect(await auditRowsOf(store, 'product.seller_update')).toEqual([expect.objectContaining({ objectId: productId, outcome: 'refused' })]);

    await operator.post(`/admin/products/${productId}/unlock`, {}, { from: `/admin/products/${productId}` });
    expect(await auditRowsOf(store, 'product.unlock')).toHaveLength(1);
    expect((await portal.updateProduct(seller, sellerId, productId, { priceMinor: 5000 })).priceMinor).toBe(5000);
  });
});
