import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox';
import { basic, call, client, provision, SUBSCRIPTION_KEY, token, transferBody, withSandbox } from './helpers';

const KEY = { 'Ocp-Apim-Subscription-Key': SUBSCRIPTION_KEY };

describe('provisioning', () => {
  let sb: RunningSandbox;
  beforeAll(async () => void (sb = await withSandbox()));
  afterAll(() => sb.close());

  it('creates an API user (201, empty body), reads it back and issues keys', async () => {
    const id = randomUUID();
    const created = await call(sb.url, 'POST', '/v1_0/apiuser', { headers: { ...KEY, 'X-Reference-Id': id }, body: { providerCallbackHost: 'shop.example' } });
    expect(created.status).toBe(201);
    expect(created.text).toBe('');
    const read = await call(sb.url, 'GET', `/v1_0/apiuser/${id}`, { headers: KEY });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ providerCallbackHost: 'shop.example', targetEnvironment: 'sandbox' });
    const key1 = await call(sb.url, 'POST', `/v1_0/apiuser/${id}/apikey`, { headers: KEY });
    expect(key1.status).toBe(201);
    expect(key1.body.apiKey).toMatch(/^[0-9a-f]{32}$/);
    const key2 = await call(sb.url, 'POST', `/v1_0/apiuser/${id}/apikey`, { headers: KEY });
    expect(key2.body.apiKey).not.toBe(key1.body.apiKey);
    // Both keys log in.
    expect((await token(sb.url, 'collection', id, key1.body.apiKey)).status).toBe(200);
    expect((await token(sb.url, 'collection', id, key2.body.apiKey)).status).toBe(200);
  });

  it('refuses a non-UUIDv4 reference id, a missing host and a duplicate', async () => {
    const bad = await call(sb.url, 'POST', '/v1_0/apiuser', { headers: { ...KEY, 'X-Reference-Id': 'not-a-uuid' }, body: { providerCallbackHost: 'x' } });
    expect(bad.status).toBe(400);
    const v1 = await call(sb.url, 'POST', '/v1_0/apiuser', { headers: { ...KEY, 'X-Reference-Id': 'a8f9c3e0-1111-11ee-be56-0242ac120002' }, body: { providerCallbackHost: 'x' } });
    expect(v1.status).toBe(400);
    const id = randomUUID();
    expect((await call(sb.url, 'POST', '/v1_0/apiuser', { headers: { ...KEY, 'X-Reference-Id': id }, body: { providerCallbackHost: '' } })).status).toBe(400);
    expect((await call(sb.url, 'POST', '/v1_0/apiuser', { headers: { ...KEY, 'X-Reference-Id': id }, body: {} })).status).toBe(400);
    expect((await call(sb.url, 'POST', '/v1_0/apiuser', { headers: { ...KEY, 'X-Reference-Id': id }, body: { providerCallbackHost: 'x' } })).status).toBe(201);
    const again = await call(sb.url, 'POST', '/v1_0/apiuser', { headers: { ...KEY, 'X-Reference-Id': id }, body: { providerCallbackHost: 'x' } });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ code: 'RESOURCE_ALREADY_EXIST', message: 'Duplicated reference id. Creation of resource failed.' });
  });

  it('answers 400 for a non-UUID user id and 404 for an unknown one', async () => {
    expect((await call(sb.url, 'GET', '/v1_0/apiuser/incorrect_referenceId', { headers: KEY })).status).toBe(400);
    expect((await call(sb.url, 'POST', '/v1_0/apiuser/incorrect_referenceId/apikey', { headers: KEY })).status).toBe(400);
    const unknown = await call(sb.url, 'GET', `/v1_0/apiuser/${randomUUID()}`, { headers: KEY });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('RESOURCE_NOT_FOUND');
    expect((await call(sb.url, 'POST', `/v1_0/apiuser/${randomUUID()}/apikey`, { headers: KEY })).status).toBe(404);
  });
});

describe('subscription keys', () => {
  it('accepts any non-empty key by default and answers a missing one with the gateway 401', async () => {
    const sb = await withSandbox();
    try {
      const missing = await call(sb.url, 'GET', `/v1_0/apiuser/${randomUUID()}`);
      expect(missing.status).toBe(401);
      expect(missing.body).toEqual({ statusCode: 401, message: expect.stringMatching(/^Access denied due to missing subscription key/) });
      expect((await call(sb.url, 'GET', `/v1_0/apiuser/${randomUUID()}`, { headers: { 'Ocp-Apim-Subscription-Key': 'anything' } })).status).toBe(404);
      // The query-parameter form of the key is accepted too.
      expect((await call(sb.url, 'GET', `/v1_0/apiuser/${randomUUID()}?subscription-key=abc`)).status).toBe(404);
    } finally {
      await sb.close();
    }
  });

  it('accepts only the listed keys when subscriptionKeys is set, on every route', async () => {
    const sb = await withSandbox({ subscriptionKeys: ['good-key'] });
    try {
      const wrong = await call(sb.url, 'POST', '/collection/token/', { headers: { 'Ocp-Apim-Subscription-Key': 'bad-key' } });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({ statusCode: 401, message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.' });
      const id = randomUUID();
      const ok = await call(sb.url, 'POST', '/v1_0/apiuser', { headers: { 'Ocp-Apim-Subscription-Key': 'good-key', 'X-Reference-Id': id }, body: { providerCallbackHost: 'x' } });
      expect(ok.status).toBe(201);
      const product = await call(sb.url, 'GET', '/disbursement/v1_0/account/balance', { headers: { 'Ocp-Apim-Subscription-Key': 'bad-key' } });
      expect(product.status).toBe(401);
      expect(product.body.statusCode).toBe(401);
    } finally {
      await sb.close();
    }
  });
});

describe('tokens', () => {
  let sb: RunningSandbox;
  beforeAll(async () => void (sb = await withSandbox()));
  afterAll(() => sb.close());

  it('issues 3600 s tokens of type access_token for every product', async () => {
    const { apiUser, apiKey } = await provision(sb.url);
    for (const product of ['collection', 'disbursement', 'remittance']) {
      const answer = await token(sb.url, product, apiUser, apiKey);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ access_token: expect.any(String), token_type: 'access_token', expires_in: 3600 });
      const [header, payload] = answer.body.access_token.split('.');
      expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ typ: 'JWT', alg: 'R256' });
      expect(JSON.parse(Buffer.from(payload, 'base64url').toString()).clientId).toBe(apiUser);
    }
    // Without the trailing slash, and with a form body as some SDKs send, it works as well.
    const form = await call(sb.url, 'POST', '/collection/token', {
      headers: { ...KEY, Authorization: basic(apiUser, apiKey), 'Content-Type': 'application/x-www-form-urlencoded' },
      raw: 'grant_type=client_credentials',
    });
    expect(form.status).toBe(200);
  });

  it('answers bad credentials with login_failed, 401 by default', async () => {
    const { apiUser } = await provision(sb.url);
    const wrong = await token(sb.url, 'collection', apiUser, 'f'.repeat(32));
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'login_failed' });
    expect((await token(sb.url, 'collection', randomUUID(), 'f'.repeat(32))).body).toEqual({ error: 'login_failed' });
    const none = await call(sb.url, 'POST', '/collection/token/', { headers: KEY });
    expect(none.status).toBe(401);
    const colon = await call(sb.url, 'POST', '/collection/token/', { headers: { ...KEY, Authorization: `Basic: ${Buffer.from('a:b').toString('base64')}` } });
    expect(colon.body).toEqual({ error: 'login_failed' });
  });

  it('answers bad credentials with 500 when tokenFailureStatus is 500', async () => {
    const other = await withSandbox({ tokenFailureStatus: 500 });
    try {
      const { apiUser } = await provision(other.url);
      const wrong = await token(other.url, 'disbursement', apiUser, 'nope');
      expect(wrong.status).toBe(500);
      expect(wrong.body).toEqual({ error: 'login_failed' });
    } finally {
      await other.close();
    }
  });

  it('refuses missing, garbage, forged and foreign bearer tokens with 401', async () => {
    const c = await client(sb.url);
    const base = { ...KEY, 'X-Target-Environment': 'sandbox' };
    const path = '/collection/v1_0/account/balance';
    expect((await call(sb.url, 'GET', path, { headers: base })).status).toBe(401);
    expect((await call(sb.url, 'GET', path, { headers: { ...base, Authorization: 'Bearer garbage' } })).status).toBe(401);
    const [h, p] = c.tokens.collection!.split('.');
    expect((await call(sb.url, 'GET', path, { headers: { ...base, Authorization: `Bearer ${h}.${p}.forged` } })).status).toBe(401);
    const other = await withSandbox();
    try {
      const foreign = await client(other.url);
      const answer = await call(sb.url, 'GET', path, { headers: { ...base, Authorization: `Bearer ${foreign.tokens.collection}` } });
      expect(answer.status).toBe(401);
      expect(answer.body.statusCode).toBe(401);
    } finally {
      await other.close();
    }
    expect((await c.get('collection', '/v1_0/account/balance')).status).toBe(200);
  });

  it('expires tokens after 3600 s of sandbox time', async () => {
    const c = await client(sb.url);
    expect((await c.get('collection', '/v1_0/account/balance')).status).toBe(200);
    sb.sandbox.control.advanceClock(3599_000);
    expect((await c.get('collection', '/v1_0/account/balance')).status).toBe(200);
    sb.sandbox.control.advanceClock(2_000);
    const expired = await c.get('collection', '/v1_0/account/balance');
    expect(expired.status).toBe(401);
    // A new token works again.
    const fresh = await token(sb.url, 'collection', c.apiUser, c.apiKey);
    expect((await call(sb.url, 'GET', '/collection/v1_0/account/balance', { headers: { ...c.headers('collection'), Authorization: `Bearer ${fresh.body.access_token}` } })).status).toBe(200);
    sb.sandbox.control.reset();
  });

  it('refuses a token of one product on another product with the gateway 401, as MTN does (#10)', async () => {
    const c = await client(sb.url);
    const uses = [
      ['collection', 'GET', '/disbursement/v1_0/account/balance'],
      ['collection', 'POST', '/disbursement/v1_0/transfer'],
      ['disbursement', 'GET', `/collection/v1_0/requesttopay/${randomUUID()}`],
      ['remittance', 'GET', '/disbursement/v1_0/account/balance'],
      ['disbursement', 'GET', '/remittance/v1_0/account/balance'],
    ] as const;
    for (const [issuer, method, path] of uses) {
      const product = path.split('/')[1]!;
      const answer = await call(sb.url, method, path, { headers: { ...c.headers(product), Authorization: `Bearer ${c.tokens[issuer]}`, 'X-Reference-Id': randomUUID() }, ...(method === 'POST' ? { body: transferBody('256772000001') } : {}) });
      expect(answer.status, `${issuer} token on ${path}`).toBe(401);
      expect(answer.body).toEqual({ statusCode: 401, message: 'Access denied due to invalid or expired access token. Make sure to provide a valid access token.' });
    }
    expect(sb.sandbox.control.transactions()).toEqual([]);
    for (const product of ['collection', 'disbursement', 'remittance']) expect((await c.get(product, '/v1_0/account/balance')).status).toBe(200);
  });
});

describe('target environment', () => {
  it('answers 500 NOT_ALLOWED_TARGET_ENVIRONMENT for a missing or unknown environment', async () => {
    const sb = await withSandbox({ currencies: { sandbox: ['EUR'], mtnuganda: ['UGX'] } });
    try {
      const c = await client(sb.url);
      for (const env of ['production', 'mtnghana']) {
        const answer = await c.get('collection', '/v1_0/account/balance', { 'X-Target-Environment': env });
        expect(answer.status).toBe(500);
        expect(answer.body.code).toBe('NOT_ALLOWED_TARGET_ENVIRONMENT');
      }
      const headers = c.headers('collection');
      delete headers['X-Target-Environment'];
      expect((await call(sb.url, 'GET', '/collection/v1_0/account/balance', { headers })).body.code).toBe('NOT_ALLOWED_TARGET_ENVIRONMENT');
      const uganda = await c.get('collection', '/v1_0/account/balance', { 'X-Target-Environment': 'mtnuganda' });
      expect(uganda.status).toBe(200);
      expect(uganda.body.currency).toBe('UGX');
    } finally {
      await sb.close();
    }
  });

  it('answers unknown paths with the gateway 404', async () => {
    const sb = await withSandbox();
    try {
      const answer = await call(sb.url, 'GET', '/collection/v1_0/nothing', { headers: KEY });
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({ statusCode: 404, message: 'Resource not found' });
    } finally {
      await sb.close();
    }
  });
});
