// The hot routes (issue #16) on the real store: the callback, an order's JSON and a JSON
// payment answered ahead of Express's middleware, exactly as the routes answer them (status,
// body, error shape, Location, the security headers, rate limits, the access log), and
// everything they do not own passed on to the routes untouched.
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCT_IDS } from '../../src/db';
import { helmetHeaders } from '../../src/web/security-headers';
import { openForm, postForm, startShop, type Shop } from './storefront-helpers';
import { shortId } from '../../src/uuid';

const basket = DEMO_PRODUCT_IDS[0]!;
const token = 'callback-secret-0123456789';
const placedOk = (res: { status: number }) => expect([200, 202]).toContain(res.status);

/** helmet's headers for a plain-http store, lower-cased as clients see them. */
const SECURITY = helmetHeaders({ publicUrl: null }).map(([name, value]) => [name.toLowerCase(), value] as const);

function expectSecurityHeaders(headers: Record<string, string>, what: string) {
  for (const [name, value] of SECURITY) expect(headers[name], `${what}: ${name}`).toBe(value);
}

// Without the access log the server runs the hot routes ahead of the app; with it, inside the
// app after the log. Both must answer alike.
describe.each([
  { lane: 'ahead of the app', accessLog: false },
  { lane: 'inside the app, after the access log', accessLog: true },
])('on one store, $lane', ({ accessLog }) => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await startShop({ ACCESS_LOG: String(accessLog), CALLBACK_TOKEN: token, SANDBOX_APPROVAL: 'handset' });
  });
  afterAll(async () => {
    await shop.close();
  });

  it('answers a JSON payment and its order with the security headers, Location, and no ETag', async () => {
    const placed = await shop.http.post('/pay').set('accept', 'application/json').send({ productId: basket, qty: 1, phone: '256772600100' }).expect(202);
    expect(placed.headers.location).toBe(`/orders/${placed.body.id}`);
    expect(placed.headers['content-type']).toBe('application/json; charset=utf-8');
    expectSecurityHeaders(placed.headers, 'POST /pay');
    // res.json would hash every body for an ETag that a POST or a long poll never uses.
    expect(placed.headers.etag).toBeUndefined();
    expect(placed.body).toMatchObject({ status: 'pending', qty: 1, phone: '2567*****100', payment: { status: 'pending' } });

    const order = await shop.http.get(`/orders/${placed.body.id}`).set('accept', 'application/json').expect(200);
    expectSecurityHeaders(order.headers, 'GET /orders/:id');
    expect(order.headers.etag).toBeUndefined();
    expect(order.body).toEqual(placed.body);
    if (accessLog) expect(shop.logLines.join('')).toMatch(new RegExp(`"POST /pay" 202 ${placed.headers['content-length']} `));
  });

  it('takes the idempotency key from the Idempotency-Key header: the same key is the same order', async () => {
    const send = () => shop.http.post('/pay').set('accept', 'application/json').set('idempotency-key', 'hot-key-1').send({ productId: basket, qty: 1, phone: '256772600110' }).expect(placedOk);
    const first = await send();
    const again = await send();
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.location).toBe(`/orders/${first.body.id}`);
  });

  it('still gives a form post its 303 and a browser the order page (the Express lane)', async () => {
    const form = await openForm(shop, `/products/${basket}`);
    const placed = await postForm(shop, '/pay', form, { _csrf: form.token, productId: basket, qty: '1', phone: '256772600101' }).expect(303);
    const page = await shop.http.get(placed.headers.location!).set('accept', 'text/html').expect(200).expect('content-type', /html/);
    expect(page.text).toContain(`Order ${shortId(placed.headers.location!.slice('/orders/'.length))}`);
  });

  it('refuses bad bodies as express.json() does: invalid JSON, a bare string, over 16 kB (declared or sent)', async () => {
    const pay = () => shop.http.post('/pay').set('accept', 'application/json').set('content-type', 'application/json');
    const invalid = await pay().send('{"productId":').expect(400);
    expect(invalid.body).toEqual({ error: { code: 'invalid_json', message: 'The request body is not valid JSON' } });
    expectSecurityHeaders(invalid.headers, 'a refusal');
    await pay().send('"a string"').expect(400, { error: { code: 'invalid_json', message: 'The request body is not valid JSON' } });
    const big = JSON.stringify({ productId: basket, qty: 1, phone: '256772600102', pad: 'x'.repeat(17_000) });
    const tooLarge = await pay().send(big).expect(413);
    expect(tooLarge.body).toEqual({ error: { code: 'payload_too_large', message: 'The request body is too large' } });
    await shop.http.post(`/callback?token=${token}`).set('content-type', 'text/plain').send('x'.repeat(17_000)).expect(413);
    const bad = await pay().send({ productId: basket, qty: 0, phone: '256772600103' }).expect(400);
    expect(bad.body.error).toMatchObject({ field: 'qty' });
  });

  it('answers an unknown or malformed order id 404 in the error shape, with the security headers', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id']) {
      const missing = await shop.http.get(`/orders/${id}`).set('accept', 'application/json').expect(404);
      expect(missing.body).toEqual({ error: { code: 'order_not_found', message: 'No order with this id' } });
      expectSecurityHeaders(missing.headers, id);
    }
  });

  it('takes a callback with the right token (a bare 200, logged with the token redacted) and refuses a wrong one with 401', async () => {
    const taken = await shop.http.post(`/callback?token=${token}`).send({ referenceId: 'not-ours' }).expect(200);
    expect(taken.body).toEqual({ received: true });
    expect(taken.headers['content-security-policy']).toBeUndefined();
    expect(taken.headers.etag).toBeUndefined();
    const refused = await shop.http.put('/callback?token=wrong').send({}).expect(401);
    expect(refused.body).toEqual({ error: { code: 'unauthorized', message: 'Callback token missing or wrong' } });
    expect(refused.headers['www-authenticate']).toBe('Bearer');
    const lines = shop.logLines.join('');
    if (accessLog) expect(lines).toContain('"POST /callback?token=[redacted]" 200 17 ');
    expect(lines).not.toContain(token);
  });
});

describe('rate limits', () => {
  let shop: Shop | undefined;
  afterEach(async () => {
    await shop?.close();
    shop = undefined;
  });

  it('a JSON payment over the limit gets 429 in the error shape, with RateLimit headers (no hashed partition key), Retry-After and the security headers', async () => {
    shop = await startShop({ PAY_RATE_LIMIT_PER_MIN: '2' });
    // One bucket for both lanes: a form post counts as much as a JSON payment.
    const form = await openForm(shop, `/products/${basket}`);
    await postForm(shop, '/pay', form, { _csrf: form.token, productId: basket, qty: '1', phone: '256772600200' }).expect(303);
    await shop.http.post('/pay').set('accept', 'application/json').send({ productId: basket, qty: 1, phone: '256772600201' }).expect(placedOk);
    const refused = await shop.http.post('/pay').set('accept', 'application/json').send({ productId: basket, qty: 1, phone: '256772600202' }).expect(429);
    expect(refused.body).toEqual({ error: { code: 'too_many_requests', message: expect.stringContaining('wait a minute') } });
    expect(refused.headers['ratelimit-policy']).toBe('"2-in-1min"; q=2; w=60');
    expect(refused.headers.ratelimit).toMatch(/^"2-in-1min"; r=0; t=\d+$/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expectSecurityHeaders(refused.headers, 'the 429');
    expect(shop.count('orders')).toBe(2);
  });

  it('counts callbacks served by either lane in one bucket: a gzipped one goes the Express way', async () => {
    shop = await startShop({ CALLBACK_RATE_LIMIT_PER_MIN: '2' });
    await shop.http.post('/callback').send({}).expect(200);
    await shop.http.post('/callback').set('content-type', 'application/octet-stream').set('content-encoding', 'gzip').send(gzipSync('{}')).expect(200);
    const refused = await shop.http.post('/callback').send({}).expect(429);
    expect(refused.body).toEqual({ error: { code: 'too_many_requests', message: 'Too many callbacks from this address.' } });
  });
});

describe('with CORS configured', () => {
  let shop: Shop | undefined;
  afterEach(async () => {
    await shop?.close();
    shop = undefined;
  });

  it('an allowed origin gets cors\'s answer, and an answer without Origin still varies on it', async () => {
    shop = await startShop({ CORS_ORIGINS: 'https://app.example' });
    const placed = await shop.http.post('/pay').set('accept', 'application/json').send({ productId: basket, qty: 1, phone: '256772600300' }).expect(placedOk);
    expect(placed.headers.vary).toBe('Origin');
    expect(placed.headers['access-control-allow-origin']).toBeUndefined();
    const cross = await shop.http.get(`/orders/${placed.body.id}`).set('accept', 'application/json').set('origin', 'https://app.example').expect(200);
    expect(cross.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(cross.body.id).toBe(placed.body.id);
  });
});
