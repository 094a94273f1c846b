import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox';
import { client, eventually, listener, payment, transferBody, withSandbox, type Client } from './helpers';

let sb: RunningSandbox;
let c: Client;
let hook: Awaited<ReturnType<typeof listener>>;
let statuses: number[] = [];
beforeAll(async () => {
  sb = await withSandbox({ approval: 'instant' });
  // The API user registers 127.0.0.1, the listener's host.
  c = await client(sb.url, '127.0.0.1');
  hook = await listener((n) => statuses[n - 1] ?? 200);
});
afterAll(async () => {
  await sb.close();
  await hook.close();
});
beforeEach(() => {
  sb.sandbox.control.reset();
  sb.sandbox.control.updateSettings({ approval: 'instant', callbackMethod: 'auto', callbackHostCheck: true, callbackRetries: false });
  hook.received.length = 0;
  statuses = [];
});

const settle = () => new Promise((r) => setTimeout(r, 300));

describe('callbacks', () => {
  it('POSTs the final state of a v1_0 operation once, with exactly the status GET body', async () => {
    const created = await c.create('collection', '/v1_0/requesttopay', payment('256776000001'), { 'X-Callback-Url': `${hook.url}/momo/rtp?order=1` });
    const received = await eventually(() => hook.received[0]);
    expect(received.method).toBe('POST');
    expect(received.path).toBe('/momo/rtp?order=1');
    expect(received.headers['content-type']).toMatch(/application\/json/);
    const got = await c.get('collection', `/v1_0/requesttopay/${created.referenceId}`);
    expect(received.body).toEqual(got.body);
    await settle();
    expect(hook.received).toHaveLength(1);
  });

  it('PUTs the final state of v2_0 operations (auto)', async () => {
    const withdraw = await c.create('collection', '/v2_0/requesttowithdraw', payment('256776000002'), { 'X-Callback-Url': `${hook.url}/w` });
    const deposit = await c.create('disbursement', '/v2_0/deposit', transferBody('256776000003'), { 'X-Callback-Url': `${hook.url}/d` });
    await eventually(() => (hook.received.length >= 2 ? true : undefined));
    const byPath = Object.fromEntries(hook.received.map((r) => [r.path, r]));
    expect(byPath['/w']!.method).toBe('PUT');
    expect(byPath['/d']!.method).toBe('PUT');
    expect(byPath['/w']!.body).toEqual((await c.get('collection', `/v1_0/requesttowithdraw/${withdraw.referenceId}`)).body);
    expect(byPath['/d']!.body).toEqual((await c.get('disbursement', `/v1_0/deposit/${deposit.referenceId}`)).body);
  });

  it('uses the forced method when callbackMethod is POST or PUT', async () => {
    sb.sandbox.control.updateSettings({ callbackMethod: 'PUT' });
    await c.create('disbursement', '/v1_0/transfer', transferBody('256776000004'), { 'X-Callback-Url': `${hook.url}/t` });
    expect((await eventually(() => hook.received[0])).method).toBe('PUT');
    sb.sandbox.control.updateSettings({ callbackMethod: 'POST' });
    await c.create('disbursement', '/v2_0/refund', { amount: '1', currency: 'EUR', referenceIdToRefund: (await c.create('collection', '/v1_0/requesttopay', payment('256776000005'))).referenceId }, { 'X-Callback-Url': `${hook.url}/r` });
    expect((await eventually(() => hook.received[1])).method).toBe('POST');
  });

  it('sends FAILED states too, and nothing while PENDING', async () => {
    const failing = await c.create('collection', '/v1_0/requesttopay', payment('46733123452'), { 'X-Callback-Url': `${hook.url}/f` });
    const received = await eventually(() => hook.received[0]);
    expect(received.body).toMatchObject({ status: 'FAILED', reason: 'EXPIRED' });
    expect(received.body).toEqual((await c.get('collection', `/v1_0/requesttopay/${failing.referenceId}`)).body);
    await c.create('collection', '/v1_0/requesttopay', payment('46733123453'), { 'X-Callback-Url': `${hook.url}/p` });
    await settle();
    expect(hook.received).toHaveLength(1);
  });

  it('sends the callback when the handset answers', async () => {
    sb.sandbox.control.updateSettings({ approval: 'handset' });
    const created = await c.create('collection', '/v1_0/requesttopay', payment('256776000006'), { 'X-Callback-Url': `${hook.url}/h` });
    await settle();
    expect(hook.received).toHaveLength(0);
    expect(sb.sandbox.control.approve(created.referenceId, '1234')).toMatchObject({ ok: true, status: 'SUCCESSFUL' });
    expect((await eventually(() => hook.received[0])).body).toMatchObject({ status: 'SUCCESSFUL' });
  });

  it('fails the transaction with INVALID_CALLBACK_URL_HOST, and sends nothing, when the host is not the registered one', async () => {
    const other = await client(sb.url, 'shop.example.com');
    const created = await other.create('collection', '/v1_0/requesttopay', payment('256776000007'), { 'X-Callback-Url': `${hook.url}/x` });
    expect(created.status).toBe(202);
    expect((await other.get('collection', `/v1_0/requesttopay/${created.referenceId}`)).body).toMatchObject({ status: 'FAILED', reason: 'INVALID_CALLBACK_URL_HOST' });
    await settle();
    expect(hook.received).toHaveLength(0);
    expect(sb.sandbox.control.balances().customers['256776000007']).toBeUndefined();
  });

  it('accepts a providerCallbackHost stored as a URL', async () => {
    const other = await client(sb.url, `${hook.url}/anything`);
    await other.create('collection', '/v1_0/requesttopay', payment('256776000008'), { 'X-Callback-Url': `${hook.url}/u` });
    expect((await eventually(() => hook.received[0])).body).toMatchObject({ status: 'SUCCESSFUL' });
  });

  it('delivers to any host when callbackHostCheck is false', async () => {
    sb.sandbox.control.updateSettings({ callbackHostCheck: false });
    const other = await client(sb.url, 'shop.example.com');
    await other.create('collection', '/v1_0/requesttopay', payment('256776000009'), { 'X-Callback-Url': `${hook.url}/any` });
    expect((await eventually(() => hook.received[0])).body).toMatchObject({ status: 'SUCCESSFUL' });
  });

  it('tries once by default, and records the failure', async () => {
    statuses = [500, 500, 200];
    const created = await c.create('collection', '/v1_0/requesttopay', payment('256776000010'), { 'X-Callback-Url': `${hook.url}/once` });
    await eventually(() => hook.received[0]);
    await settle();
    expect(hook.received).toHaveLength(1);
    const view = await eventually(() => (sb.sandbox.control.transaction(created.referenceId)?.callback?.lastStatus ? sb.sandbox.control.transaction(created.referenceId) : undefined));
    expect(view.callback).toMatchObject({ attempts: 1, delivered: false, lastStatus: 500 });
  });

  it('retries 1 s apart when callbackRetries is on, until the listener accepts', async () => {
    sb.sandbox.control.updateSettings({ callbackRetries: true });
    statuses = [500, 503, 204];
    const created = await c.create('collection', '/v1_0/requesttopay', payment('256776000011'), { 'X-Callback-Url': `${hook.url}/retry` });
    await eventually(() => hook.received[2], 15_000);
    await eventually(() => (sb.sandbox.control.transaction(created.referenceId)?.callback?.delivered ? true : undefined));
    expect(sb.sandbox.control.transaction(created.referenceId)?.callback).toMatchObject({ attempts: 3, delivered: true, lastStatus: 204 });
    expect(new Set(hook.received.map((r) => JSON.stringify(r.body))).size).toBe(1);
  });

  it('cuts an attempt the listener never answers, and reuses one kept-alive connection for the next callbacks', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((req) => void sockets.push(req.socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hangs`;
      const created = await c.create('collection', '/v1_0/requesttopay', payment('256776000013'), { 'X-Callback-Url': url });
      const view = await eventually(() => (sb.sandbox.control.transaction(created.referenceId)?.callback?.lastError ? sb.sandbox.control.transaction(created.referenceId) : undefined));
      expect(view.callback).toMatchObject({ attempts: 1, delivered: false, lastStatus: null, lastError: 'no answer within 2000 ms' });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
    for (let i = 0; i < 3; i++) {
      const created = await c.create('collection', '/v1_0/requesttopay', payment('256776000014'), { 'X-Callback-Url': `${hook.url}/kept` });
      await eventually(() => (sb.sandbox.control.transaction(created.referenceId)?.callback?.delivered ? true : undefined));
    }
    expect(new Set(hook.received.map((r) => r.remotePort)).size).toBe(1);
  });

  it('survives a listener that is not there', async () => {
    const created = await c.create('collection', '/v1_0/requesttopay', payment('256776000012'), { 'X-Callback-Url': 'http://127.0.0.1:1/nobody' });
    expect(created.status).toBe(202);
    const view = await eventually(() => (sb.sandbox.control.transaction(created.referenceId)?.callback?.lastError ? sb.sandbox.control.transaction(created.referenceId) : undefined));
    expect(view.callback?.delivered).toBe(false);
    expect((await c.get('collection', `/v1_0/requesttopay/${created.referenceId}`)).body.status).toBe('SUCCESSFUL');
  });
});
