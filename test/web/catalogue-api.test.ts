import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSeller, getProduct, seedDemoCatalogue, updateProduct } from '../../src/db';
import { auth, testApp as appWithoutMomo, type TestApp } from './helpers';
import { startWalletSandbox, type WalletSandbox } from './wallets';

let h: TestApp;
afterEach(() => h.t.close());

// Seller numbers are checked with MoMo: a real sandbox answers.
let wallets: WalletSandbox;
beforeAll(async () => {
  wallets = await startWalletSandbox();
});
afterAll(() => wallets.close());
const testApp = (env: Record<string, string> = {}) => appWithoutMomo(env, {}, wallets.verifyWallet);

const sellerBody = { name: 'Nalubega Textiles', msisdn: '+256 772-000.050', shareBps: 7500 };

function productBody(sellerId: string) {
  return { sellerId, name: 'Gomesi', description: 'Silk, made to measure', priceMinor: 4500, currency: 'EUR' };
}

describe('public catalogue', () => {
  beforeEach(async () => {
    h = testApp();
    await seedDemoCatalogue(h.sql, { currency: 'EUR', shareBps: 8000 });
  });

  it('lists active products with decimal prices', async () => {
    const hidden = (await updateProduct(h.sql, '9a0d0c70-0000-4000-8000-000000000001', { active: false }))!;
    const res = await request(h.app).get('/api/products');
    expect(res.status).toBe(200);
    expect(res.body.products).toHaveLength(5);
    expect(res.body.products.map((p: { id: string }) => p.id)).not.toContain(hidden.id);
    const basket = res.body.products.find((p: { name: string }) => p.name === 'Kitenge fabric, 6 yards');
    expect(basket).toEqual({
      id: '9a0d0c70-0000-4000-8000-000000000005',
      name: 'Kitenge fabric, 6 yards',
      description: expect.any(String),
      sellerId: '5e11e700-0000-4000-8000-000000000003',
      sellerName: "Achieng's Kitenge House",
      priceMinor: 1400,
      price: '14.00',
      currency: 'EUR',
    });
  });

  it('shows one active product and 404s unknown, inactive and malformed ids', async () => {
    const id = '9a0d0c70-0000-4000-8000-000000000002';
    expect((await request(h.app).get(`/api/products/${id}`)).body).toMatchObject({ id, price: '16.00' });
    await updateProduct(h.sql, id, { active: false });
    for (const path of [`/api/products/${id}`, `/api/products/${crypto.randomUUID()}`, '/api/products/not-an-id']) {
      const res = await request(h.app).get(path);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });
});

describe('admin guard', () => {
  const routes: [string, string][] = [
    ['get', '/api/sellers'],
    ['post', '/api/sellers'],
    ['patch', `/api/sellers/${crypto.randomUUID()}`],
    ['post', '/api/products'],
    ['patch', `/api/products/${crypto.randomUUID()}`],
  ];

  it('refuses without a token and with a wrong one, writing nothing', async () => {
    h = testApp();
    for (const [method, path] of routes) {
      for (const header of [undefined, 'Bearer wrong-token-wrong-token', `Basic ${Buffer.from('a:b').toString('base64')}`, 'Bearer']) {
        const req = request(h.app)[method as 'get'](path);
        if (header) req.set('Authorization', header);
        const res = await req.send(sellerBody);
        expect(res.status, `${method} ${path} ${header}`).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer');
        expect(res.body.error.code).toBe('unauthorized');
      }
    }
    expect(h.t.count('sellers')).toBe(0);
  });

  it('is disabled with 503 when ADMIN_TOKEN is unset', async () => {
    h = testApp({ ADMIN_TOKEN: '' });
    for (const [method, path] of routes) {
      const res = await request(h.app)[method as 'get'](path).set(auth).send(sellerBody);
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ error: { code: 'admin_disabled', message: 'Set ADMIN_TOKEN to enable admin routes' } });
    }
    expect(h.t.count('sellers')).toBe(0);
  });
});

describe('sellers API', () => {
  it('creates with a normalised number and the default share, lists and patches', async () => {
    h = testApp({ SELLER_SHARE_PERCENT: '82.5' });
    const created = await request(h.app).post('/api/sellers').set(auth).send({ name: ' Nalubega Textiles ', msisdn: '+256 (772) 000-050' });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/api/sellers/${created.body.id}`);
    expect(created.body).toMatchObject({ name: 'Nalubega Textiles', msisdn: '256772000050', shareBps: 8250 });

    const { walletName, ...stored } = created.body;
    expect(walletName).toBe('Sand Box');
    const fetched = await request(h.app).get(created.headers.location!).set(auth);
    expect(fetched.body).toEqual(stored);

    const patched = await request(h.app).patch(created.headers.location!).set(auth).send({ shareBps: 9000 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: created.body.id, name: 'Nalubega Textiles', msisdn: '256772000050', shareBps: 9000 });

    const list = await request(h.app).get('/api/sellers').set(auth);
    expect(list.body.sellers).toEqual([patched.body]);
  });

  it('accepts a form post', async () => {
    h = testApp();
    const res = await request(h.app).post('/api/sellers').set(auth).type('form').send('name=Okello&msisdn=256772000060&shareBps=6000');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Okello', msisdn: '256772000060', shareBps: 6000 });
  });

  it('404s a patch of an unknown seller', async () => {
    h = testApp();
    const res = await request(h.app).patch(`/api/sellers/${crypto.randomUUID()}`).set(auth).send({ name: 'x' });
    expect(res.status).toBe(404);
  });

  const bad: [string, Record<string, unknown>, number, string][] = [
    ['missing name', { msisdn: '256772000050' }, 400, 'name'],
    ['empty name', { ...sellerBody, name: '   ' }, 400, 'name'],
    ['long name', { ...sellerBody, name: 'x'.repeat(101) }, 400, 'name'],
    ['name with control characters', { ...sellerBody, name: 'a\u0007b' }, 400, 'name'],
    ['name not text', { ...sellerBody, name: 42 }, 400, 'name'],
    ['missing msisdn', { name: 'x' }, 400, 'msisdn'],
    ['msisdn with letters', { ...sellerBody, msisdn: '25677abc0050' }, 400, 'msisdn'],
    ['msisdn with a leading 0', { ...sellerBody, msisdn: '0772000050' }, 400, 'msisdn'],
    ['msisdn too short', { ...sellerBody, msisdn: '2567720' }, 400, 'msisdn'],
    ['msisdn too long', { ...sellerBody, msisdn: '2567720000500000' }, 400, 'msisdn'],
    ['msisdn a number', { ...sellerBody, msisdn: 256772000050 }, 400, 'msisdn'],
    ['shareBps above 10000', { ...sellerBody, shareBps: 10001 }, 400, 'shareBps'],
    ['shareBps negative', { ...sellerBody, shareBps: -1 }, 400, 'shareBps'],
    ['shareBps fractional', { ...sellerBody, shareBps: 80.5 }, 400, 'shareBps'],
    ['shareBps as words', { ...sellerBody, shareBps: 'eighty' }, 400, 'shareBps'],
  ];

  it.each(bad)('refuses %s on create and on patch, writing nothing', async (_label, body, status, field) => {
    h = testApp();
    const res = await request(h.app).post('/api/sellers').set(auth).send(body);
    expect(res.status).toBe(status);
    expect(res.body.error).toEqual({ code: 'invalid_field', message: expect.stringContaining(field), field });
    expect(h.t.count('sellers')).toBe(0);

    const seller = await createSeller(h.sql, { name: 'Before', msisdn: '256772000070', shareBps: 8000 });
    const patch = await request(h.app).patch(`/api/sellers/${seller.id}`).set(auth).send({ [field]: body[field] ?? null });
    expect(patch.status).toBe(400);
    expect(patch.body.error.field).toBe(field);
    expect(h.t.db.prepare('SELECT name, msisdn, share_bps FROM sellers').get()).toEqual({ name: 'Before', msisdn: '256772000070', share_bps: 8000 });
  });

  it('refuses an empty patch', async () => {
    h = testApp();
    const seller = await createSeller(h.sql, { name: 'Before', msisdn: '256772000070', shareBps: 8000 });
    const res = await request(h.app).patch(`/api/sellers/${seller.id}`).set(auth).send({});
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_body');
  });

  it('takes any country code in the sandbox but only the market\'s on a live one (422)', async () => {
    h = testApp();
    expect((await request(h.app).post('/api/sellers').set(auth).send({ ...sellerBody, msisdn: '46733123499' })).status).toBe(201);
    h.t.close();
    h = testApp({ MOMO_TARGET_ENVIRONMENT: 'mtnghana' });
    const res = await request(h.app).post('/api/sellers').set(auth).send(sellerBody);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'invalid_field', field: 'msisdn' });
    expect(h.t.count('sellers')).toBe(0);
    expect((await request(h.app).post('/api/sellers').set(auth).send({ ...sellerBody, msisdn: '233 24 000 0050' })).status).toBe(201);
  });
});

describe('products API', () => {
  let sellerId: string;
  beforeEach(async () => {
    h = testApp();
    sellerId = (await createSeller(h.sql, { name: 'Nalubega Textiles', msisdn: '256772000050', shareBps: 8000 })).id;
  });

  it('creates (active by default), patches given fields and hides deactivated ones', async () => {
    const created = await request(h.app).post('/api/products').set(auth).send(productBody(sellerId));
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/api/products/${created.body.id}`);
    expect(created.body).toMatchObject({ ...productBody(sellerId), sellerName: 'Nalubega Textiles', price: '45.00', active: true });
    expect((await request(h.app).get(created.headers.location!)).body.name).toBe('Gomesi');

    const patched = await request(h.app).patch(created.headers.location!).set(auth).send({ priceMinor: '4750', active: false });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Gomesi', description: 'Silk, made to measure', priceMinor: 4750, price: '47.50', active: false });
    expect((await request(h.app).get('/api/products')).body.products).toEqual([]);
  });

  it('404s a patch of an unknown product', async () => {
    const res = await request(h.app).patch(`/api/products/${crypto.randomUUID()}`).set(auth).send({ name: 'x' });
    expect(res.status).toBe(404);
  });

  it('refuses an unknown seller with 422 on sellerId, writing nothing', async () => {
    const res = await request(h.app).post('/api/products').set(auth).send(productBody(crypto.randomUUID()));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'unknown_seller', field: 'sellerId' });
    expect(h.t.count('products')).toBe(0);

    const id = (await request(h.app).post('/api/products').set(auth).send(productBody(sellerId))).body.id;
    const patch = await request(h.app).patch(`/api/products/${id}`).set(auth).send({ sellerId: crypto.randomUUID() });
    expect(patch.status).toBe(422);
    expect((await getProduct(h.sql, id))!.sellerId).toBe(sellerId);
  });

  const bad: [string, (s: string) => Record<string, unknown>, number, string][] = [
    ['missing sellerId', (s) => ({ ...productBody(s), sellerId: undefined }), 400, 'sellerId'],
    ['malformed sellerId', (s) => ({ ...productBody(s), sellerId: 'seller-1' }), 400, 'sellerId'],
    ['missing name', (s) => ({ ...productBody(s), name: undefined }), 400, 'name'],
    ['long name', (s) => ({ ...productBody(s), name: 'x'.repeat(121) }), 400, 'name'],
    ['long description', (s) => ({ ...productBody(s), description: 'x'.repeat(2001) }), 400, 'description'],
    ['description not text', (s) => ({ ...productBody(s), description: ['a'] }), 400, 'description'],
    ['missing priceMinor', (s) => ({ ...productBody(s), priceMinor: undefined }), 400, 'priceMinor'],
    ['zero priceMinor', (s) => ({ ...productBody(s), priceMinor: 0 }), 400, 'priceMinor'],
    ['fractional priceMinor', (s) => ({ ...productBody(s), priceMinor: 45.5 }), 400, 'priceMinor'],
    ['priceMinor beyond safe integers', (s) => ({ ...productBody(s), priceMinor: 2 ** 53 }), 400, 'priceMinor'],
    ['priceMinor as a decimal string', (s) => ({ ...productBody(s), priceMinor: '45.00' }), 400, 'priceMinor'],
    ['priceMinor above the currency maximum', (s) => ({ ...productBody(s), priceMinor: 1_000_000_01 }), 422, 'priceMinor'],
    ['priceMinor below the currency minimum', (s) => ({ ...productBody(s), priceMinor: 999, currency: 'UGX' }), 422, 'priceMinor'],
    ['missing currency', (s) => ({ ...productBody(s), currency: undefined }), 400, 'currency'],
    ['unknown currency', (s) => ({ ...productBody(s), currency: 'USD' }), 400, 'currency'],
    ['lower-case currency', (s) => ({ ...productBody(s), currency: 'eur' }), 400, 'currency'],
    ['active not a boolean', (s) => ({ ...productBody(s), active: 'yes' }), 400, 'active'],
  ];

  it.each(bad)('refuses %s, writing nothing', async (_label, body, status, field) => {
    const res = await request(h.app).post('/api/products').set(auth).send(body(sellerId));
    expect(res.status).toBe(status);
    expect(res.body.error).toEqual({ code: 'invalid_field', message: expect.stringContaining(field), field });
    expect(h.t.count('products')).toBe(0);
  });

  it.each(bad.filter(([label]) => !label.startsWith('missing')))('refuses a patch with %s, changing nothing', async (_label, body, status, field) => {
    const created = (await request(h.app).post('/api/products').set(auth).send(productBody(sellerId))).body;
    const changes = body(sellerId);
    const res = await request(h.app).patch(`/api/products/${created.id}`).set(auth).send({ [field]: changes[field], ...(field === 'priceMinor' ? { currency: changes.currency } : {}) });
    expect(res.status).toBe(status);
    expect(res.body.error.field).toBe(field);
    const after = (await getProduct(h.sql, created.id))!;
    expect([after.priceMinor, after.currency, after.name, after.description, after.active, after.updatedAt]).toEqual([4500, 'EUR', 'Gomesi', 'Silk, made to measure', true, Date.parse(created.updatedAt)]);
  });

  it('checks the merged product: a new currency must suit the old price', async () => {
    const created = (await request(h.app).post('/api/products').set(auth).send({ ...productBody(sellerId), priceMinor: 500 })).body;
    const res = await request(h.app).patch(`/api/products/${created.id}`).set(auth).send({ currency: 'UGX' });
    expect(res.status).toBe(422);
    expect(res.body.error.field).toBe('priceMinor');
    expect((await getProduct(h.sql, created.id))!.currency).toBe('EUR');
  });
});
