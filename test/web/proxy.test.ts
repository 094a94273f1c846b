// Behind a proxy (ngrok, nginx): TRUST_PROXY decides whether X-Forwarded-For names the client,
// for the per-address rate limits and the access log; HSTS only for an https store.
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { DEMO_PRODUCT_IDS } from '../../src/db';
import { testApp, type TestApp } from './helpers';
import { startShop, type Shop } from './storefront-helpers';

const basket = DEMO_PRODUCT_IDS[0]!;
const junk = { productId: basket, qty: 0, phone: 'x' };
const valid = { productId: basket, qty: 1, phone: '256772500700' };

let shop: Shop | undefined;
let h: TestApp | undefined;
afterEach(async () => {
  await shop?.close();
  shop = undefined;
  h?.t.close();
  h = undefined;
});

/** Three junk payments "from" one shopper, then a valid one from another, as the proxy forwards them. */
async function junkThenValid(s: Shop) {
  for (let i = 0; i < 3; i++) {
    await s.http.post('/pay').set('accept', 'application/json').set('X-Forwarded-For', '203.0.113.1').send(junk).expect(400);
  }
  return s.http.post('/pay').set('accept', 'application/json').set('X-Forwarded-For', '203.0.113.2').send(valid);
}

describe('TRUST_PROXY', () => {
  it('with 1, each forwarded client has its own /pay bucket and the log shows its address', async () => {
    shop = await startShop({ PAY_RATE_LIMIT_PER_MIN: '3', TRUST_PROXY: '1', ACCESS_LOG: 'true' });
    const placed = await junkThenValid(shop);
    expect([200, 202]).toContain(placed.status);
    await shop.http.post('/pay').set('accept', 'application/json').set('X-Forwarded-For', '203.0.113.1').send(junk).expect(429);
    expect(shop.logLines.filter((l) => l.startsWith('203.0.113.2 "POST /pay"'))).toHaveLength(1);
    // A client cannot pick its address by sending its own header through the proxy: the proxy
    // appends the address it saw, and only that last hop is believed.
    await shop.http.get('/').set('X-Forwarded-For', '198.51.100.7, 203.0.113.9').expect(200);
    expect(shop.logLines.filter((l) => l.includes('"GET /" ')).map((l) => l.split(' ')[0])).toEqual(['203.0.113.9']);
  });

  it('unset, a forged X-Forwarded-For is ignored: everyone behind the proxy is one address', async () => {
    shop = await startShop({ PAY_RATE_LIMIT_PER_MIN: '3', ACCESS_LOG: 'true' });
    const refused = await junkThenValid(shop);
    expect(refused.status).toBe(429);
    expect(shop.count('orders')).toBe(0);
    expect(shop.logLines.some((l) => l.includes('203.0.113'))).toBe(false);
  });

  // Without the access log the JSON payments are served ahead of Express (hot-routes.ts), which
  // must name the client as Express's req.ip does, from the same setting.
  for (const trust of ['1', 'loopback']) {
    it(`with ${trust} and no access log, the hot lane counts each forwarded client apart too`, async () => {
      shop = await startShop({ PAY_RATE_LIMIT_PER_MIN: '3', TRUST_PROXY: trust, ACCESS_LOG: 'false' });
      const placed = await junkThenValid(shop);
      expect([200, 202]).toContain(placed.status);
      await shop.http.post('/pay').set('accept', 'application/json').set('X-Forwarded-For', '203.0.113.1').send(junk).expect(429);
    });
  }

  it('unset and with no access log, the hot lane ignores a forged X-Forwarded-For too', async () => {
    shop = await startShop({ PAY_RATE_LIMIT_PER_MIN: '3', ACCESS_LOG: 'false' });
    expect((await junkThenValid(shop)).status).toBe(429);
    expect(shop.count('orders')).toBe(0);
  });

  it('takes a hop count or addresses and subnets, and refuses "true" and junk', () => {
    const parse = (value: string) => loadConfig({ TRUST_PROXY: value }).trustProxy;
    expect(parse('')).toBe(false);
    expect(parse('false')).toBe(false);
    expect(parse('0')).toBe(false);
    expect(parse('2')).toBe(2);
    expect(parse('loopback, 10.0.0.1,10.1.0.0/16, fd00::/8')).toEqual(['loopback', '10.0.0.1', '10.1.0.0/16', 'fd00::/8']);
    for (const bad of ['true', '10.0.0.300', '10.0.0.0/33', 'proxy.example', '1.2.3.4/8/8']) {
      expect(() => parse(bad), bad).toThrow(ConfigError);
    }
  });
});

describe('HSTS', () => {
  it('is sent only when PUBLIC_URL is https', async () => {
    h = testApp({ PUBLIC_URL: 'https://abc123.ngrok-free.app' });
    const secure = await request(h.app).get('/api/products');
    expect(secure.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    h.t.close();
    for (const env of [{ PUBLIC_URL: 'http://192.168.1.20:3000' }, {}] as Record<string, string>[]) {
      h = testApp(env);
      const plain = await request(h.app).get('/api/products');
      expect(plain.headers['strict-transport-security'], JSON.stringify(env)).toBeUndefined();
      h.t.close();
    }
    h = undefined;
  });
});

describe('the embedded sandbox\'s control API through a tunnel', () => {
  it('refuses forwarded requests, though the tunnel connects from loopback', async () => {
    shop = await startShop({ TRUST_PROXY: '1' });
    await shop.http.get('/sandbox/_control/settings').expect(200);
    const tunnelled = await shop.http.post('/sandbox/_control/reset').set('X-Forwarded-For', '203.0.113.5').send({});
    expect(tunnelled.status).toBe(403);
    expect(tunnelled.body.error.code).toBe('forbidden');
    await shop.http.get('/sandbox/_control/settings').set('Forwarded', 'for=203.0.113.5').expect(403);
  });
});
