// The catalogue's rules over HTTP: currencies the MoMo market cannot take, strict admin bodies,
// seller numbers checked with MoMo, one seller per number, and deactivated sellers.
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, createSeller, DEMO_PRODUCT_IDS, DEMO_SELLER_IDS, getSeller } from '../../src/db';
import { momoWalletCheck } from '../../src/server';
import { clientFor } from '../momo/helpers';
import { auth, testApp, type TestApp } from './helpers';
import { startShop, type Shop } from './storefront-helpers';
import { startWalletSandbox, type WalletSandbox } from './wallets';

let wallets: WalletSandbox;
beforeAll(async () => {
  wallets = await startWalletSandbox();
});
afterAll(() => wallets.close());

let h: TestApp | undefined;
let shop: Shop | undefined;
afterEach(async () => {
  h?.t.close();
  h = undefined;
  await shop?.close();
  shop = undefined;
});

const app = (env: Record<string, string> = {}) => testApp(env, {}, wallets.verifyWallet);
const seller = (t: TestApp, msisdn = '256772000050') => createSeller(t.sql, { name: 'Nalubega Textiles', msisdn, shareBps: 8000 });
const holderChecks = () => wallets.harness.running.sandbox.control.calls().byOperation['disbursement.isAccountHolderActive'] ?? 0;

describe('currencies the MoMo market takes', () => {
  it('refuses GHS and UGX on sandbox (EUR only) with 422 on currency, at create and update', async () => {
    h = app();
    const sellerId = (await seller(h)).id;
    for (const [currency, priceMinor] of [['GHS', 500], ['UGX', 5000]] as const) {
      const res = await request(h.app).post('/api/products').set(auth).send({ sellerId, name: 'Kente', priceMinor, currency });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'currency_not_accepted', field: 'currency' });
    }
    expect(h.t.count('products')).toBe(0);
    const created = await request(h.app).post('/api/products').set(auth).send({ sellerId, name: 'Kente', priceMinor: 5000, currency: 'EUR' }).expect(201);
    const patch = await request(h.app).patch(`/api/products/${created.body.id}`).set(auth).send({ currency: 'UGX' });
    expect(patch.status).toBe(422);
    expect(patch.body.error.field).toBe('currency');
  });

  it('takes the market\'s own currency on a live market, and refuses EUR there', async () => {
    h = app({ MOMO_TARGET_ENVIRONMENT: 'mtnuganda' });
    const sellerId = (await seller(h)).id;
    await request(h.app).post('/api/products').set(auth).send({ sellerId, name: 'Matooke', priceMinor: 25_000, currency: 'UGX' }).expect(201);
    const eur = await request(h.app).post('/api/products').set(auth).send({ sellerId, name: 'Matooke', priceMinor: 600, currency: 'EUR' });
    expect([eur.status, eur.body.error.field]).toEqual([422, 'currency']);
  });

  it('never shows a product in a currency the market cannot take (an older row)', async () => {
    shop = await startShop();
    const ghs = await createProduct(shop.sokoni.sql, { sellerId: DEMO_SELLER_IDS.nakato, name: 'Kente from Accra', description: '', priceMinor: 500, currency: 'GHS', active: true });
    const list = await shop.http.get('/api/products').expect(200);
    expect(list.body.products.map((p: { id: string }) => p.id)).not.toContain(ghs.id);
    expect(list.body.products.length).toBeGreaterThan(0);
    await shop.http.get(`/api/products/${ghs.id}`).expect(404);
    expect((await shop.http.get('/').expect(200)).text).not.toContain('Kente from Accra');
    await shop.http.get(`/products/${ghs.id}`).set('accept', 'text/html').expect(404);
  });
});

describe('strict admin bodies', () => {
  it('refuses unknown fields with 400 naming the field, writing nothing', async () => {
    h = app();
    const res = await request(h.app).post('/api/sellers').set(auth).send({ name: 'Okello', msisdn: '256772000060', sharePercent: 90 });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'unknown_field', message: 'sharePercent is not a field here', field: 'sharePercent' });
    expect(h.t.count('sellers')).toBe(0);

    const id = (await seller(h)).id;
    const patch = await request(h.app).patch(`/api/sellers/${id}`).set(auth).send({ sharePercent: 90 });
    expect([patch.status, patch.body.error.field]).toEqual([400, 'sharePercent']);
    const product = await request(h.app).post('/api/products').set(auth).send({ sellerId: id, name: 'Hoe', priceMinor: 1500, currency: 'EUR', price: '15.00' });
    expect([product.status, product.body.error.field]).toEqual([400, 'price']);
    expect(h.t.count('products')).toBe(0);
  });
});

describe('seller numbers checked with MoMo', () => {
  it('creates a seller with an active wallet and answers the name MoMo has', async () => {
    h = app();
    const res = await request(h.app).post('/api/sellers').set(auth).send({ name: 'Okello', msisdn: '256772000060' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Okello', msisdn: '256772000060', active: true, walletName: 'Sand Box' });
  });

  it.each([
    ['not active', '46733123451'],
    ['not found', '46733123450'],
  ])('refuses a number whose wallet is %s with 422, writing nothing', async (_label, msisdn) => {
    h = app();
    const res = await request(h.app).post('/api/sellers').set(auth).send({ name: 'Okello', msisdn });
    expect(res.status).toBe(422);
    expect(res.body.error).toEqual({ code: 'wallet_not_active', message: expect.stringContaining('not an active MoMo wallet'), field: 'msisdn' });
    expect(h.t.count('sellers')).toBe(0);
  });

  it('answers 502 when MoMo does not answer, writing nothing', async () => {
    h = app();
    const res = await request(h.app).post('/api/sellers').set(auth).send({ name: 'Okello', msisdn: '46733123455' });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: 'momo_unavailable', field: 'msisdn' });
    h.t.close();
    const unreachable = momoWalletCheck(clientFor(wallets.harness, { baseUrl: 'http://127.0.0.1:9', maxRetries: 0 }).client);
    h = testApp({}, {}, unreachable);
    expect((await request(h.app).post('/api/sellers').set(auth).send({ name: 'Okello', msisdn: '256772000060' })).status).toBe(502);
    expect(h.t.count('sellers')).toBe(0);
  });

  it('checks a changed number, and only a changed one', async () => {
    h = app();
    const id = (await seller(h)).id;
    const before = holderChecks();
    await request(h.app).patch(`/api/sellers/${id}`).set(auth).send({ shareBps: 7000, msisdn: '256 772 000050' }).expect(200);
    expect(holderChecks()).toBe(before);
    const refused = await request(h.app).patch(`/api/sellers/${id}`).set(auth).send({ msisdn: '46733123451' });
    expect([refused.status, refused.body.error.field]).toEqual([422, 'msisdn']);
    expect((await getSeller(h.sql, id))!.msisdn).toBe('256772000050');
    const changed = await request(h.app).patch(`/api/sellers/${id}`).set(auth).send({ msisdn: '256772000051' }).expect(200);
    expect(changed.body).toMatchObject({ msisdn: '256772000051', walletName: 'Sand Box' });
  });

  it('refuses the same number twice with 409, naming the seller that has it', async () => {
    h = app();
    const first = await request(h.app).post('/api/sellers').set(auth).send({ name: 'Okello', msisdn: '256772000060' }).expect(201);
    const again = await request(h.app).post('/api/sellers').set(auth).send({ name: 'Okello again', msisdn: '+256 772 000 060' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'duplicate_seller', field: 'msisdn', message: expect.stringContaining(first.body.id) });
    const other = (await seller(h, '256772000061')).id;
    const patch = await request(h.app).patch(`/api/sellers/${other}`).set(auth).send({ msisdn: '256772000060' });
    expect(patch.status).toBe(409);
    expect(h.t.count('sellers')).toBe(2);
  });
});

describe('deactivated sellers', () => {
  it('leave the storefront and the public lists; reactivated, they are back', async () => {
    shop = await startShop();
    const admin = { authorization: auth.Authorization };
    const basket = DEMO_PRODUCT_IDS[0]!;
    const off = await shop.http.patch(`/api/sellers/${DEMO_SELLER_IDS.nakato}`).set(admin).send({ active: false }).expect(200);
    expect(off.body).toMatchObject({ active: false });
    expect(off.body.walletName).toBeUndefined();
    const list = (await shop.http.get('/api/products').expect(200)).body.products as { sellerId: string }[];
    expect(list.length).toBeGreaterThan(0);
    expect(list.filter((p) => p.sellerId === DEMO_SELLER_IDS.nakato)).toEqual([]);
    await shop.http.get(`/api/products/${basket}`).expect(404);
    await shop.http.get(`/products/${basket}`).set('accept', 'text/html').expect(404);
    expect((await shop.http.get('/').expect(200)).text).not.toContain('Nakato Crafts');

    await shop.http.patch(`/api/sellers/${DEMO_SELLER_IDS.nakato}`).set(admin).send({ active: true }).expect(200);
    await shop.http.get(`/api/products/${basket}`).expect(200);
    expect((await shop.http.get('/').expect(200)).text).toContain('Nakato Crafts');
  });

  it('are still paid what they are owed', async () => {
    shop = await startShop({ SANDBOX_APPROVAL: 'handset' });
    const payer = '256772500900';
    const placed = await shop.http.post('/pay').set('accept', 'application/json').send({ productId: DEMO_PRODUCT_IDS[0], qty: 1, phone: payer }).expect(202);
    await shop.http.patch(`/api/sellers/${DEMO_SELLER_IDS.nakato}`).set({ authorization: auth.Authorization }).send({ active: false }).expect(200);
    const [waiting] = shop.control.pending(payer);
    shop.control.approve(waiting!.referenceId, '1234');
    const settled = await shop.http.get(`/orders/${placed.body.id}`).set('accept', 'application/json').set('prefer', 'wait=15').expect(200);
    expect(settled.body).toMatchObject({ status: 'settled', payout: { status: 'successful' } });
  });
});
