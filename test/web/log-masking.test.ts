// Logs mask phone numbers and nothing else: order ids, product paths, MoMo references and
// durations stay whole, so a log line can still be followed to the order it is about.
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PRODUCT_IDS } from '../../src/db';
import { createLogger, maskPhones } from '../../src/log';
import { sanitizeUrl } from '../../src/web/access-log';
import { auth, testApp, type TestApp } from './helpers';
import { startShop, type Shop } from './storefront-helpers';

const orderId = '90fe31b4-1234-4567-8901-147258369114';
const productPath = `/products/${DEMO_PRODUCT_IDS[0]!}`;
const reference = '78f8184a-6a00-4a75-8b03-412345678901';

describe('maskPhones', () => {
  it.each([
    ['an order id', `order ${orderId} paid`],
    ['an all-digit UUID', 'ref 12345678-1234-4567-8901-123456789012'],
    ['a product path', productPath],
    ['a reference', `/callback?ref=${reference}`],
    ['a duration', 'took 9750.666123047 ms'],
    ['a token glued to digits', 'key abc256772123456'],
    ['a date', 'since 2026-12-02'],
    ['an IPv4 address', 'from 203.0.113.19 and 192.168.100.200'],
  ])('leaves %s whole', (_label, text) => {
    expect(maskPhones(text)).toBe(text);
    expect(sanitizeUrl(text)).toBe(text);
  });

  it.each([
    ['256772123456', '256****456'],
    ['payer +256-772-123-456.', 'payer +256****456.'],
    ['msisdn=46733123450&x=1', 'msisdn=467****450&x=1'],
    ['(256.772.123.456)', '(256****456)'],
  ])('masks the phone number in %j', (text, masked) => {
    expect(maskPhones(text)).toBe(masked);
  });

  it('masks form-encoded numbers in URLs, with the access log\'s mask', () => {
    expect(sanitizeUrl('/pay?phone=%2B256%20772-123-456&qty=2')).toBe('/pay?phone=%2B2567*****456&qty=2');
    expect(sanitizeUrl(`/sandbox/handset?msisdn=256772123456&order=${orderId}`)).toBe(`/sandbox/handset?msisdn=2567*****456&order=${orderId}`);
  });

  it('reaches the structured log lines', () => {
    const lines: string[] = [];
    createLogger({ write: (line) => lines.push(line) }).info('order.placed', { orderId, payer: '256772123456', took: '9750.666123047 ms' });
    const line = JSON.parse(lines[0]!) as Record<string, string>;
    expect(line).toMatchObject({ orderId, payer: '256****456', took: '9750.666123047 ms' });
  });
});

describe('access log of the real store', () => {
  let shop: Shop | undefined;
  afterEach(async () => {
    await shop?.close();
    shop = undefined;
  });

  it('keeps the product path and the order id whole, and masks the payer', async () => {
    shop = await startShop({ ACCESS_LOG: 'true' });
    await shop.http.get(productPath).expect(200);
    const placed = await shop.http.post('/pay').set('accept', 'application/json').send({ productId: DEMO_PRODUCT_IDS[0], qty: 1, phone: '256772500800' });
    const order = placed.headers.location!;
    await shop.http.get(`/sandbox/handset?msisdn=256772500800&from=${encodeURIComponent(order)}`).expect(200);
    const lines = shop.logLines.join('');
    expect(lines).toContain(`"GET ${productPath}"`);
    expect(lines).toContain(`"GET /sandbox/handset?msisdn=2567*****800&from=${encodeURIComponent(order)}"`);
    expect(lines).not.toContain('256772500800');
  });

  it('logs the callbacks MoMo sends, though they are answered ahead of the rest of the middleware', async () => {
    shop = await startShop({ ACCESS_LOG: 'true' });
    await shop.http.post('/callback?token=callback-secret-1').send({ referenceId: 'not-ours' }).expect(200);
    const lines = shop.logLines.join('');
    expect(lines).toContain('"POST /callback?token=[redacted]"');
    expect(lines).not.toContain('callback-secret-1');
  });
});

describe('admin_disabled', () => {
  let h: TestApp;
  afterEach(() => h.t.close());

  it('answers 503 but is not logged as an error', async () => {
    h = testApp({ ADMIN_TOKEN: '' });
    const res = await request(h.app).get('/api/sellers').set(auth);
    expect(res.status).toBe(503);
    expect(h.errors).toEqual([]);
  });
});
