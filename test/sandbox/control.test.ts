import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, startSandbox, type RunningSandbox } from '../../src/sandbox';
import { call, client, payment, transferBody, withSandbox, type Client } from './helpers';

let sb: RunningSandbox;
let c: Client;
beforeAll(async () => {
  sb = await withSandbox();
  c = await client(sb.url);
});
afterAll(() => sb.close());
beforeEach(() => sb.sandbox.control.reset());

const control = (method: string, path: string, body?: unknown) => call(sb.url, method, `/_control${path}`, body === undefined ? {} : { body });

describe('control API', () => {
  it('reads and changes settings at run time, refusing bad values', async () => {
    expect((await control('GET', '/settings')).body).toMatchObject({ approval: 'instant', callbackMethod: 'auto' });
    const changed = await control('PATCH', '/settings', { approval: 'handset', approvalTimeoutS: 60 });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ approval: 'handset', approvalTimeoutS: 60 });
    const created = await c.create('collection', '/v1_0/requesttopay', payment('256778000001'));
    expect((await c.get('collection', `/v1_0/requesttopay/${created.referenceId}`)).body.status).toBe('PENDING');
    const bad = await control('PATCH', '/settings', { approval: 'sometimes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/approval/);
    expect((await control('PATCH', '/settings', { currencies: { sandbox: ['ABC'] } })).status).toBe(400);
    expect((await control('PATCH', '/settings', { faults: { errorRate: 3 } })).status).toBe(400);
    expect((await control('PATCH', '/settings', { approval: 'instant' })).body.approval).toBe('instant');
  });

  it('advances the clock', async () => {
    const before = (await control('GET', '/clock')).body;
    expect(before.offsetMs).toBe(0);
    const after = await control('POST', '/clock/advance', { seconds: 90 });
    expect(after.body.offsetMs).toBe(90_000);
    expect((await control('POST', '/clock/advance', { ms: 500 })).body.offsetMs).toBe(90_500);
    expect((await control('POST', '/clock/advance', { ms: -1 })).status).toBe(400);
  });

  it('lists transactions with their status body and filters them', async () => {
    const a = await c.create('collection', '/v1_0/requesttopay', payment('256778000002'));
    const b = await c.create('disbursement', '/v1_0/transfer', transferBody('46733123450'));
    const all = (await control('GET', '/transactions')).body.transactions;
    expect(all).toHaveLength(2);
    const failed = (await control('GET', '/transactions?status=FAILED')).body.transactions;
    expect(failed).toEqual([expect.objectContaining({ referenceId: b.referenceId, product: 'disbursement', kind: 'transfer', reason: 'INTERNAL_PROCESSING_ERROR' })]);
    expect((await control('GET', '/transactions?product=collection')).body.transactions[0].referenceId).toBe(a.referenceId);
    expect((await control('GET', '/transactions?party=%2B256778000002')).body.transactions).toHaveLength(1);
    const one = await control('GET', `/transactions/${a.referenceId}`);
    expect(one.body.body).toEqual((await c.get('collection', `/v1_0/requesttopay/${a.referenceId}`)).body);
    expect(one.body.apiUser).toBe(c.apiUser);
    expect((await control('GET', '/transactions/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('reads and sets balances', async () => {
    await c.create('collection', '/v1_0/requesttopay', payment('256778000003', { amount: '1.25' }));
    const balances = (await control('GET', '/balances')).body;
    expect(balances.accounts.collection).toEqual({ EUR: '1.25' });
    expect(balances.customers['256778000003']).toEqual({ EUR: '99998.75' });
    const set = await control('POST', '/balances', { account: 'disbursement', currency: 'EUR', amount: '5' });
    expect(set.body.accounts.disbursement).toEqual({ EUR: '5.00' });
    expect((await c.get('disbursement', '/v1_0/account/balance')).body.availableBalance).toBe('5');
    expect((await control('POST', '/balances', { customer: '256778000004', currency: 'EUR', amount: '0.5' })).body.customers['256778000004']).toEqual({ EUR: '0.50' });
    expect((await control('POST', '/balances', { account: 'bank', currency: 'EUR', amount: '5' })).status).toBe(400);
    expect((await control('POST', '/balances', { account: 'collection', currency: 'EUR', amount: '1.234' })).status).toBe(400);
  });

  it('counts calls by endpoint and operation, with answer statuses', async () => {
    await c.create('collection', '/v1_0/requesttopay', payment('256778000005'));
    const created = await c.create('collection', '/v1_0/requesttopay', payment('256778000005'));
    await c.get('collection', `/v1_0/requesttopay/${created.referenceId}`);
    await c.get('collection', '/v1_0/requesttopay/nope');
    const calls = (await control('GET', '/calls')).body;
    expect(calls.total).toBe(4);
    expect(calls.byEndpoint['POST /collection/v1_0/requesttopay']).toEqual({ operation: 'collection.requestToPay', calls: 2, statuses: { '202': 2 } });
    expect(calls.byEndpoint['GET /collection/v1_0/requesttopay/{referenceId}']).toEqual({ operation: 'collection.getRequestToPay', calls: 2, statuses: { '200': 1, '400': 1 } });
    expect(calls.byOperation).toEqual({ 'collection.requestToPay': 2, 'collection.getRequestToPay': 2 });
    expect((await control('DELETE', '/calls')).status).toBe(204);
    expect((await control('GET', '/calls')).body.total).toBe(0);
  });

  it('resets state but keeps API users unless asked', async () => {
    const created = await c.create('collection', '/v1_0/requesttopay', payment('256778000006'));
    expect((await control('POST', '/reset', {})).status).toBe(204);
    expect((await c.get('collection', `/v1_0/requesttopay/${created.referenceId}`)).status).toBe(404);
    expect((await c.get('collection', '/v1_0/account/balance')).body.availableBalance).toBe('0');
    expect((await control('POST', '/reset', { users: true })).status).toBe(204);
    expect((await c.get('collection', '/v1_0/account/balance')).status).toBe(401);
    c = await client(sb.url);
  });

  it('provisions credentials directly', async () => {
    const creds = (await control('POST', '/provision', { providerCallbackHost: 'localhost' })).body;
    expect(creds).toEqual({ apiUser: expect.any(String), apiKey: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const user = await call(sb.url, 'GET', `/v1_0/apiuser/${creds.apiUser}`, { headers: { 'Ocp-Apim-Subscription-Key': 'k' } });
    expect(user.body).toEqual({ providerCallbackHost: 'localhost', targetEnvironment: 'sandbox' });
    expect((await control('POST', '/provision', {})).status).toBe(400);
  });

  it('answers unknown control paths with 404 and bad JSON with 400', async () => {
    expect((await control('GET', '/nothing')).status).toBe(404);
    expect((await call(sb.url, 'PATCH', '/_control/settings', { raw: '{bad', headers: { 'Content-Type': 'application/json' } })).status).toBe(400);
  });
});

const external = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

describe('control API access', () => {
  it.skipIf(!external)('answers only loopback clients (403 otherwise), while the MoMo API and handset stay open', async () => {
    const open = await startSandbox({}, { port: 0, host: '0.0.0.0' });
    try {
      const port = new URL(open.url).port;
      const remote = `http://${external}:${port}`;
      const denied = await call(remote, 'GET', '/_control/settings');
      expect(denied.status).toBe(403);
      expect((await call(remote, 'POST', '/_control/reset', { body: {} })).status).toBe(403);
      expect((await call(`http://127.0.0.1:${port}`, 'GET', '/_control/settings')).status).toBe(200);
      expect((await call(remote, 'GET', '/handset/api/pending?msisdn=256772000001')).status).toBe(200);
      expect((await call(remote, 'POST', '/collection/token/', { headers: { 'Ocp-Apim-Subscription-Key': 'k' } })).status).toBe(401);
    } finally {
      await open.close();
    }
  });
});

describe('control API behind a proxy (#10)', () => {
  it('refuses any request carrying a forwarding header, even from loopback and with trust proxy on', async () => {
    const headers = { Forwarded: 'for=127.0.0.1', 'X-Forwarded-For': '127.0.0.1', 'X-Forwarded-Host': 'localhost', 'X-Forwarded-Proto': 'https', 'X-Real-IP': '127.0.0.1' };
    for (const [name, value] of Object.entries(headers)) {
      const denied = await call(sb.url, 'POST', '/_control/reset', { headers: { [name]: value }, body: { users: true } });
      expect(denied.status, name).toBe(403);
      expect(denied.body.error).toMatch(/proxy/);
    }
    expect((await c.get('collection', '/v1_0/account/balance')).status).toBe(200);

    // Mounted in an app that trusts its proxy, as Sokoni behind nginx might.
    const sandbox = createSandbox({ approval: 'instant' });
    const app = express().set('trust proxy', true).use('/sandbox', sandbox.router);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sandbox`;
      expect((await call(url, 'GET', '/_control/settings', { headers: { 'X-Forwarded-For': '127.0.0.1' } })).status).toBe(403);
      expect((await call(url, 'GET', '/_control/settings')).status).toBe(200);
      // The handset and the MoMo API stay reachable through the proxy.
      expect((await call(url, 'GET', '/handset/api/pending?msisdn=256772000001', { headers: { 'X-Forwarded-For': '203.0.113.9' } })).status).toBe(200);
    } finally {
      sandbox.close();
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('settings given in code', () => {
  it('refuses unknown settings and unknown currencies when the sandbox is created', async () => {
    await expect(startSandbox({ approvel: 'instant' } as never)).rejects.toThrow(/approvel: no such setting/);
    await expect(startSandbox({ currencies: { sandbox: ['XYZ'] } })).rejects.toThrow(/XYZ/);
    const partial = await startSandbox({ balances: { disbursement: '7' } });
    try {
      const c2 = await client(partial.url);
      expect((await c2.get('disbursement', '/v1_0/account/balance')).body.availableBalance).toBe('7');
      expect((await c2.get('remittance', '/v1_0/account/balance')).body.availableBalance).toBe('1000000');
    } finally {
      await partial.close();
    }
  });
});
