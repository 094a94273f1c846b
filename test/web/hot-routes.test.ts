// The hot routes (issue #16) on the real store: callbacks answered ahead of Express's
// middleware, exactly as the route answers them (status, body, error shape, rate limits, the
// access log), and everything they do not own passed on to the route untouched.
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type Shop } from './storefront-helpers';

const token = 'callback-secret-0123456789';

describe('on one store', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await startShop({ ACCESS_LOG: 'true', CALLBACK_TOKEN: token, SANDBOX_APPROVAL: 'handset' });
  });
  afterAll(async () => {
    await shop.close();
  });

  it('takes a callback with the right token (a bare 200, logged with the token redacted) and refuses a wrong one with 401', async () => {
    const taken = await shop.http.post(`/callback?token=${token}`).send({ referenceId: 'not-ours' }).expect(200);
    expect(taken.body).toEqual({ received: true });
    expect(taken.headers['content-security-policy']).toBeUndefined();
    // res.json would hash every body for an ETag nobody revalidates.
    expect(taken.headers.etag).toBeUndefined();
    const refused = await shop.http.put('/callback?token=wrong').send({}).expect(401);
    expect(refused.body).toEqual({ error: { code: 'unauthorized', message: 'Callback token missing or wrong' } });
    expect(refused.headers['www-authenticate']).toBe('Bearer');
    const lines = shop.logLines.join('');
    expect(lines).toContain('"POST /callback?token=[redacted]" 200 17 ');
    expect(lines).not.toContain(token);
  });

  it('refuses a callback body over 16 kB as the body parser does', async () => {
    const tooLarge = await shop.http.post(`/callback?token=${token}`).set('content-type', 'text/plain').send('x'.repeat(17_000)).expect(413);
    expect(tooLarge.body).toEqual({ error: { code: 'payload_too_large', message: 'The request body is too large' } });
  });
});

describe('rate limits', () => {
  let shop: Shop | undefined;
  afterEach(async () => {
    await shop?.close();
    shop = undefined;
  });

  it('counts callbacks served by either lane in one bucket: a gzipped one goes the Express way', async () => {
    shop = await startShop({ CALLBACK_RATE_LIMIT_PER_MIN: '2' });
    await shop.http.post('/callback').send({}).expect(200);
    await shop.http.post('/callback').set('content-type', 'application/octet-stream').set('content-encoding', 'gzip').send(gzipSync('{}')).expect(200);
    const refused = await shop.http.post('/callback').send({}).expect(429);
    expect(refused.body).toEqual({ error: { code: 'too_many_requests', message: 'Too many callbacks from this address.' } });
  });
});
