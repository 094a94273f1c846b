import express from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { auth, testApp, type TestApp } from './helpers';

let h: TestApp;
afterEach(() => h.t.close());

function directives(csp: string): Map<string, string> {
  return new Map(csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...values] = d.split(/\s+/);
    return [name!, values.join(' ')];
  }));
}

describe('security headers', () => {
  it('sends a strict CSP and no x-powered-by', async () => {
    h = testApp();
    const res = await request(h.app).get('/api/products');
    expect(res.status).toBe(200);
    expect(res.headers['x-powered-by']).toBeUndefined();
    const csp = directives(res.headers['content-security-policy'] ?? '');
    expect(Object.fromEntries(csp)).toEqual({
      'default-src': "'self'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self' data:",
      'connect-src': "'self'",
      'form-action': "'self'",
      'frame-ancestors': "'none'",
      'base-uri': "'self'",
      'object-src': "'none'",
    });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('sends no CORS header by default, even to a preflight', async () => {
    h = testApp();
    const res = await request(h.app).get('/api/products').set('Origin', 'https://evil.example');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await request(h.app).options('/api/products').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows only the configured CORS origins', async () => {
    h = testApp({ CORS_ORIGINS: 'https://shop.example, https://admin.example' });
    const ok = await request(h.app).get('/api/products').set('Origin', 'https://admin.example');
    expect(ok.headers['access-control-allow-origin']).toBe('https://admin.example');
    const other = await request(h.app).get('/api/products').set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('ignores X-Forwarded-For (trust proxy off)', async () => {
    const router = express.Router().get('/api/ip', (req, res) => {
      res.json({ ip: req.ip });
    });
    h = testApp({}, { routers: [router] });
    const res = await request(h.app).get('/api/ip').set('X-Forwarded-For', '203.0.113.9');
    expect(res.body.ip).not.toBe('203.0.113.9');
  });
});

describe('bad input never becomes a 5xx', () => {
  it('answers 400 invalid_json for malformed JSON', async () => {
    h = testApp();
    const res = await request(h.app).post('/api/sellers').set(auth).set('Content-Type', 'application/json').send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/json');
    expect(res.body).toEqual({ error: { code: 'invalid_json', message: expect.any(String) } });
    expect(h.t.count('sellers')).toBe(0);
  });

  it('answers 413 payload_too_large for JSON and forms over 16 kB', async () => {
    h = testApp();
    const big = JSON.stringify({ name: 'x'.repeat(17 * 1024) });
    const json = await request(h.app).post('/api/sellers').set(auth).set('Content-Type', 'application/json').send(big);
    expect(json.status).toBe(413);
    expect(json.body.error.code).toBe('payload_too_large');
    const form = await request(h.app).post('/api/sellers').set(auth).type('form').send(`name=${'x'.repeat(17 * 1024)}`);
    expect(form.status).toBe(413);
    expect(form.body.error.code).toBe('payload_too_large');
    expect(h.t.count('sellers')).toBe(0);
  });

  it('answers 415 for a charset other than UTF-8', async () => {
    h = testApp();
    const res = await request(h.app).post('/api/sellers').set(auth).set('Content-Type', 'application/json; charset=koi8-r').send('{}');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_charset');
  });

  it('answers 400 for a malformed escape in the path', async () => {
    h = testApp();
    const res = await request(h.app).get('/api/products/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
  });

  it('answers 400 for a body that is not an object', async () => {
    h = testApp();
    const res = await request(h.app).post('/api/sellers').set(auth).send([1, 2]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_body');
  });
});

describe('errors', () => {
  const boom = express.Router().get('/api/boom', () => {
    throw new Error('secret detail at /srv/app.ts:12');
  }).get('/boom', () => {
    throw new Error('secret detail at /srv/app.ts:12');
  });

  it('answers an unknown fault with a generic 500 and logs it server-side', async () => {
    h = testApp({}, { routers: [boom] });
    const res = await request(h.app).get('/api/boom');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
    expect(res.text).not.toContain('secret detail');
    expect(h.errors).toHaveLength(1);
  });

  it('shows browsers an error page without details', async () => {
    h = testApp({}, { routers: [boom] });
    const res = await request(h.app).get('/boom').set('Accept', 'text/html');
    expect(res.status).toBe(500);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('Something went wrong');
    expect(res.text).not.toContain('secret detail');
    expect(res.text).not.toContain('app.ts');
  });

  it('answers unknown /api paths with JSON 404, even to browsers', async () => {
    h = testApp();
    const res = await request(h.app).get('/api/nothing').set('Accept', 'text/html');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('answers unknown pages with an HTML 404 for browsers', async () => {
    h = testApp();
    const res = await request(h.app).get('/nothing').set('Accept', 'text/html,application/xhtml+xml');
    expect(res.status).toBe(404);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('Page not found');
  });

  it('lets the storefront render its own error pages', async () => {
    h = testApp({}, { renderErrorPage: (error, _req, res) => res.type('html').send(`<p>custom ${error.status}</p>`) });
    const res = await request(h.app).get('/nothing').set('Accept', 'text/html');
    expect(res.text).toBe('<p>custom 404</p>');
  });

  it('falls back to JSON when the error page cannot render', async () => {
    h = testApp({}, { renderErrorPage: (_error, _req, _res, fallback) => fallback(new Error('template broke')) });
    const res = await request(h.app).get('/nothing').set('Accept', 'text/html');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect(h.errors).toHaveLength(1);
  });
});

describe('access log', () => {
  it('masks phone numbers, redacts tokens and never logs credentials', async () => {
    h = testApp({ ACCESS_LOG: 'true' });
    await request(h.app)
      .get('/api/nothing/256772123456?phone=%2B256%20772%20654321&token=abc123secret&callback_token=zzz&q=ok')
      .set(auth)
      .set('Cookie', 'session=cookie-value-42')
      .set('Referer', 'http://shop.example/orders?access_token=ref-secret');
    expect(h.logLines).toHaveLength(1);
    const line = h.logLines[0]!;
    expect(line).toContain('"GET /api/nothing/2567*****456?phone=%2B2567*****321&token=[redacted]&callback_token=[redacted]&q=ok"');
    expect(line).toContain(' 404 ');
    for (const secret of ['256772123456', '772%20654321', 'abc123secret', 'zzz', 'cookie-value-42', 'test-admin-token', 'ref-secret', 'Bearer']) {
      expect(line).not.toContain(secret);
    }
  });

  it('writes nothing when ACCESS_LOG is false', async () => {
    h = testApp({ ACCESS_LOG: 'false' });
    await request(h.app).get('/api/products');
    expect(h.logLines).toEqual([]);
  });
});

describe('errors from other middleware', () => {
  it('keeps their 4xx status with a code for it', async () => {
    const router = express.Router().post('/api/guarded', () => {
      throw Object.assign(new Error('invalid csrf token'), { status: 403, expose: true });
    });
    h = testApp({}, { routers: [router] });
    const res = await request(h.app).post('/api/guarded');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: 'forbidden', message: 'invalid csrf token' } });
  });
});
