// The console's Sellers and Products pages over HTTP, on the real store and its sandbox: a new
// seller's number is checked with MoMo (its name shown beside the one typed), an inactive wallet
// comes back on the form with the reason by the field, changes and deactivations reach the
// storefront, every change is audited before → after, and a viewer's forged post is a 403.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from '../checkout/helpers';
import { auditRowsOf, signedIn, startConsole, type Browser, type ConsoleStore } from './helpers';

let store: ConsoleStore;
let operator: Browser;

beforeAll(async () => {
  store = await startConsole();
  operator = await signedIn(store, 'operator');
});
afterAll(() => store?.close());

/** The id in the page's own change form: `/admin/sellers/<id>` or `/admin/products/<id>`. */
function idIn(html: string, kind: 'sellers' | 'products'): string {
  const match = new RegExp(`action="/admin/${kind}/([0-9a-f-]{36})"`).exec(html);
  if (!match) throw new Error(`no ${kind} form on the page`);
  return match[1]!;
}

const forSale = async (productId: string) =>
  ((await store.http.get('/api/products').expect(200)).body as { products: { id: string }[] }).products.some((p) => p.id === productId);

const lastAudit = async (action: string) => {
  const rows = await auditRowsOf(store, action);
  const row = rows[rows.length - 1]!;
  return { ...row, before: row.before === null ? null : (JSON.parse(row.before) as Record<string, unknown>), after: JSON.parse(row.after!) as Record<string, unknown> };
};

async function addSeller(name: string, msisdn: string): Promise<string> {
  const res = await operator.post('/admin/sellers', { name, msisdn, share: '80' }, { from: '/admin/sellers' });
  expect(res.status).toBe(201);
  return idIn(res.text, 'sellers');
}

async function addProduct(sellerId: string, name: string, price: string): Promise<string> {
  const res = await operator.post('/admin/products', { sellerId, name, description: 'Fresh', price, currency: 'EUR' }, { from: '/admin/products' });
  expect(res.status).toBe(201);
  return idIn(res.text, 'products');
}

describe('sellers', () => {
  it('adds a seller once MoMo says the wallet is active, showing the name MoMo has beside the one typed', async () => {
    const res = await operator.post('/admin/sellers', { name: 'Mama Ngozi', msisdn: '46733900001', share: '85' }, { from: '/admin/sellers' });
    expect(res.status).toBe(201);
    expect(res.text).toMatch(/<dt>Name MoMo has<\/dt><dd data-wallet-name>Sand Box<\/dd>\s*<dt>Name typed<\/dt><dd>Mama Ngozi<\/dd>/);
    expect(res.text).toContain('The names differ');
    const id = idIn(res.text, 'sellers');
    expect(await lastAudit('seller.create')).toMatchObject({
      actorEmail: 'operator@example.com', objectId: id, outcome: 'done', before: null,
      after: { name: 'Mama Ngozi', msisdn: '46733900001', shareBps: 8500, active: true, walletName: 'Sand Box' },
    });
    const list = await operator.get('/admin/sellers');
    expect(list.text).toContain('Mama Ngozi');
    expect(list.text).toContain('85%');
  });

  it('refuses an inactive wallet on the form, with the reason by the number, and saves nothing', async () => {
    const before = await count(store, 'sellers');
    // 46733123451 is the sandbox's NotActive account holder (momo-api.md §6.2).
    const res = await operator.post('/admin/sellers', { name: 'Dormant Wallet', msisdn: '46733123451', share: '80' }, { from: '/admin/sellers' });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/<p class="field-error" id="seller-msisdn-error">msisdn is not an active MoMo wallet[^<]*<\/p>/);
    expect(res.text).toContain('value="Dormant Wallet"');
    expect(await count(store, 'sellers')).toBe(before);
    expect(await lastAudit('seller.create')).toMatchObject({ outcome: 'refused', after: { refused: 'wallet_not_active', asked: { msisdn: '46733123451' } } });
  });

  it("refuses a number another seller holds, by the field, naming that seller", async () => {
    const holder = await addSeller('First Holder', '46733900008');
    const res = await operator.post('/admin/sellers', { name: 'Second Claim', msisdn: '46733900008', share: '80' }, { from: '/admin/sellers' });
    expect(res.status).toBe(409);
    expect(res.text).toContain(`id="seller-msisdn-error">msisdn belongs to seller ${holder}<`);
  });

  it('refuses a malformed share on the form without asking MoMo', async () => {
    const res = await operator.post('/admin/sellers', { name: 'Typo', msisdn: '46733900009', share: 'eighty' }, { from: '/admin/sellers' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="seller-share-error">The seller&#39;s share must be a percentage/);
  });

  it('changes a seller, checking a new number with MoMo, and audits before → after', async () => {
    const id = await addSeller('Kato Crafts', '46733900002');
    const renamed = await operator.post(`/admin/sellers/${id}`, { name: 'Kato Crafts Ltd', msisdn: '46733900002', share: '75' }, { from: `/admin/sellers/${id}` });
    expect(renamed.status).toBe(200);
    expect(renamed.text).not.toContain('Name MoMo has');
    expect(await lastAudit('seller.update')).toMatchObject({
      objectId: id,
      before: { name: 'Kato Crafts', shareBps: 8000 },
      after: { name: 'Kato Crafts Ltd', shareBps: 7500 },
    });
    const moved = await operator.post(`/admin/sellers/${id}`, { name: 'Kato Crafts Ltd', msisdn: '46733900003', share: '75' }, { from: `/admin/sellers/${id}` });
    expect(moved.text).toContain('data-wallet-name>Sand Box<');
    expect(await lastAudit('seller.update')).toMatchObject({ before: { msisdn: '46733900002' }, after: { msisdn: '46733900003', walletName: 'Sand Box' } });
    const refused = await operator.post(`/admin/sellers/${id}`, { name: 'Kato Crafts Ltd', msisdn: '46733123451', share: '75' }, { from: `/admin/sellers/${id}` });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('id="seller-msisdn-error"');
    expect(await store.sokoni.sql.get('SELECT msisdn FROM sellers WHERE id = ?', [id])).toEqual({ msisdn: '46733900003' });
  });

  it("deactivates a seller: their products leave the storefront, and come back on reactivation", async () => {
    const sellerId = await addSeller('Closing Down', '46733900004');
    const productId = await addProduct(sellerId, 'Last Basket', '9.00');
    expect(await forSale(productId)).toBe(true);
    const res = await operator.post(`/admin/sellers/${sellerId}/deactivate`, {}, { from: `/admin/sellers/${sellerId}` });
    expect(res.status).toBe(303);
    expect(await forSale(productId)).toBe(false);
    expect(await lastAudit('seller.deactivate')).toMatchObject({ objectId: sellerId, before: { active: true }, after: { active: false } });
    expect((await operator.get(`/admin/sellers/${sellerId}`)).text).toContain('Reactivate seller');
    await operator.post(`/admin/sellers/${sellerId}/reactivate`, {}, { from: `/admin/sellers/${sellerId}` });
    expect(await forSale(productId)).toBe(true);
    expect(await lastAudit('seller.reactivate')).toMatchObject({ before: { active: false }, after: { active: true } });
  });
});

describe('products', () => {
  it('adds, changes and deactivates a product, each audited before → after', async () => {
    const sellerId = await addSeller('Jua Kali Metal', '46733900005');
    const productId = await addProduct(sellerId, 'Charcoal Stove', '12.50');
    expect(await lastAudit('product.create')).toMatchObject({ objectId: productId, after: { name: 'Charcoal Stove', priceMinor: 1250, currency: 'EUR', active: true } });
    const shop = await store.http.get(`/api/products/${productId}`).expect(200);
    expect(shop.body).toMatchObject({ name: 'Charcoal Stove', priceMinor: 1250 });

    const changed = await operator.post(`/admin/products/${productId}`, { sellerId, name: 'Charcoal Stove, large', description: 'Fresh', price: '14', currency: 'EUR' }, { from: `/admin/products/${productId}` });
    expect(changed.status).toBe(200);
    expect(await lastAudit('product.update')).toMatchObject({ before: { name: 'Charcoal Stove', priceMinor: 1250 }, after: { name: 'Charcoal Stove, large', priceMinor: 1400 } });
    expect((await store.http.get(`/api/products/${productId}`).expect(200)).body).toMatchObject({ priceMinor: 1400 });

    await operator.post(`/admin/products/${productId}/deactivate`, {}, { from: `/admin/products/${productId}` });
    expect(await forSale(productId)).toBe(false);
    expect(await lastAudit('product.deactivate')).toMatchObject({ objectId: productId, before: { active: true }, after: { active: false } });
    expect((await operator.get('/admin/products')).text).toMatch(/Charcoal Stove, large[\s\S]*?Inactive/);
  });

  it('refuses a price it cannot read on the form, by the field, and saves nothing', async () => {
    const sellerId = await addSeller('Price Typo', '46733900006');
    const before = await count(store, 'products');
    const res = await operator.post('/admin/products', { sellerId, name: 'Mystery', description: '', price: '12,50', currency: 'EUR' }, { from: '/admin/products' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="product-price-error">The price must be an amount such as 45.00</);
    expect(res.text).toContain('value="Mystery"');
    expect(await count(store, 'products')).toBe(before);
  });
});

describe('a viewer', () => {
  it('sees the pages without forms, and a forged post is refused with 403 and audited', async () => {
    const sellerId = await addSeller('Viewed Seller', '46733900007');
    const viewer = await signedIn(store, 'viewer');
    const page = await viewer.get(`/admin/sellers/${sellerId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Viewed Seller');
    expect(page.text).not.toContain('Deactivate seller');
    expect((await viewer.get('/admin/sellers')).text).not.toContain('Add a seller');
    const forged = await viewer.post(`/admin/sellers/${sellerId}/deactivate`, {}, { from: '/admin/sellers' });
    expect(forged.status).toBe(403);
    expect(await store.sokoni.sql.get('SELECT active FROM sellers WHERE id = ?', [sellerId])).toEqual({ active: 1 });
    expect(await lastAudit('forbidden')).toMatchObject({ actorEmail: 'viewer@example.com', actorRole: 'viewer', objectId: sellerId, outcome: 'refused' });
  });
});

describe('with SELLER_WALLET_CHECK=false', () => {
  it('saves a seller without claiming MoMo checked the number', async () => {
    const unchecked = await startConsole({ SELLER_WALLET_CHECK: 'false' });
    try {
      const owner = await signedIn(unchecked, 'owner');
      const res = await owner.post('/admin/sellers', { name: 'Unchecked', msisdn: '46733123451', share: '80' }, { from: '/admin/sellers' });
      expect(res.status).toBe(201);
      expect(res.text).toContain('Saved.');
      expect(res.text).not.toContain('Name MoMo has');
    } finally {
      await unchecked.close();
    }
  });
});
