import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox';
import { call, client, eventually, listener, payment, withSandbox, type Client } from './helpers';

let sb: RunningSandbox;
let c: Client;
beforeAll(async () => {
  sb = await withSandbox();
  c = await client(sb.url);
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.sandbox.control.reset();
  sb.sandbox.control.updateSettings({ faults: { latencyMs: 0, errorRate: 0, timeoutRate: 0, lostAnswerRate: 0, dropCallbackRate: 0 } });
});

const addFault = (rule: Record<string, unknown>) => call(sb.url, 'POST', '/_control/faults', { body: rule });

describe('faults through the control API', () => {
  it('answers 500 or 503 for the next N calls of one operation, then recovers', async () => {
    const added = await addFault({ kind: 'error', status: 503, count: 2, operation: 'collection.requestToPay' });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ id: expect.any(String), kind: 'error', count: 2 });
    const first = await c.create('collection', '/v1_0/requesttopay', payment('256777000001'));
    expect(first.status).toBe(503);
    expect(first.body).toEqual({ code: 'SERVICE_UNAVAILABLE', message: expect.any(String) });
    expect((await c.get('collection', '/v1_0/account/balance')).status).toBe(200);
    expect((await c.create('collection', '/v1_0/requesttopay', payment('256777000001'))).status).toBe(503);
    expect((await c.create('collection', '/v1_0/requesttopay', payment('256777000001'))).status).toBe(202);
    // Nothing was created by the failed calls.
    expect(sb.sandbox.control.transactions()).toHaveLength(1);
    await addFault({ kind: 'error', count: 1 });
    const internal = await c.get('disbursement', '/v1_0/account/balance');
    expect(internal.status).toBe(500);
    expect(internal.body.code).toBe('INTERNAL_PROCESSING_ERROR');
    expect((await call(sb.url, 'GET', '/_control/faults')).body.faults).toEqual([]);
  });

  it('matches operations by glob', async () => {
    await addFault({ kind: 'error', operation: 'disbursement.*' });
    expect((await c.get('disbursement', '/v1_0/account/balance')).status).toBe(500);
    expect((await c.get('collection', '/v1_0/account/balance')).status).toBe(200);
    expect((await call(sb.url, 'DELETE', '/_control/faults')).status).toBe(204);
    expect((await c.get('disbursement', '/v1_0/account/balance')).status).toBe(200);
  });

  it('applies a probability', async () => {
    const never = await addFault({ kind: 'error', probability: 0 });
    for (let i = 0; i < 20; i++) expect((await c.get('collection', '/v1_0/account/balance')).status).toBe(200);
    expect((await call(sb.url, 'DELETE', `/_control/faults/${never.body.id}`)).status).toBe(204);
    expect((await call(sb.url, 'DELETE', `/_control/faults/${never.body.id}`)).status).toBe(404);
    await addFault({ kind: 'error', probability: 1, count: 3 });
    for (let i = 0; i < 3; i++) expect((await c.get('collection', '/v1_0/account/balance')).status).toBe(500);
    expect((await c.get('collection', '/v1_0/account/balance')).status).toBe(200);
  });

  it('adds latency: the answer is held back', async () => {
    await addFault({ kind: 'latency', latencyMs: 60_000, count: 1 });
    const held = fetch(`${sb.url}/collection/v1_0/account/balance`, { headers: c.headers('collection'), signal: AbortSignal.timeout(300) });
    await expect(held).rejects.toThrow();
    // The rule was used up: the next call is answered.
    expect((await c.get('collection', '/v1_0/account/balance')).status).toBe(200);
  });

  it('times out: holds the request, then drops the connection, with nothing created', async () => {
    await addFault({ kind: 'timeout', holdMs: 100, count: 1, operation: 'collection.requestToPay' });
    const referenceId = randomUUID();
    await expect(fetch(`${sb.url}/collection/v1_0/requesttopay`, {
      method: 'POST',
      headers: { ...c.headers('collection'), 'X-Reference-Id': referenceId, 'Content-Type': 'application/json' },
      body: JSON.stringify(payment('256777000002')),
    })).rejects.toThrow();
    expect(sb.sandbox.control.transaction(referenceId)).toBeUndefined();
  });

  it('loses the answer after the state changed: dropped connection', async () => {
    await addFault({ kind: 'lostAnswer', as: 'drop', count: 1, operation: 'collection.requestToPay' });
    const referenceId = randomUUID();
    await expect(fetch(`${sb.url}/collection/v1_0/requesttopay`, {
      method: 'POST',
      headers: { ...c.headers('collection'), 'X-Reference-Id': referenceId, 'Content-Type': 'application/json' },
      body: JSON.stringify(payment('256777000003')),
    })).rejects.toThrow();
    // The create happened: the status reads, and a retry with the same id is a duplicate.
    expect((await c.get('collection', `/v1_0/requesttopay/${referenceId}`)).body.status).toBe('SUCCESSFUL');
    expect((await c.post('collection', '/v1_0/requesttopay', payment('256777000003'), { 'X-Reference-Id': referenceId })).status).toBe(409);
  });

  it('loses the answer after the state changed: an error answer', async () => {
    await addFault({ kind: 'lostAnswer', as: 'error', count: 1, operation: 'disbursement.transfer' });
    const created = await c.create('disbursement', '/v1_0/transfer', { amount: '3', currency: 'EUR', payee: { partyIdType: 'MSISDN', partyId: '256777000004' } });
    expect(created.status).toBe(500);
    expect((await c.get('disbursement', `/v1_0/transfer/${created.referenceId}`)).body.status).toBe('SUCCESSFUL');
  });

  it('drops callbacks', async () => {
    const hook = await listener();
    try {
      await addFault({ kind: 'dropCallback', count: 1 });
      const dropped = await c.create('collection', '/v1_0/requesttopay', payment('256777000005'), { 'X-Callback-Url': `${hook.url}/a` });
      await c.create('collection', '/v1_0/requesttopay', payment('256777000006'), { 'X-Callback-Url': `${hook.url}/b` });
      const received = await eventually(() => hook.received[0]);
      await new Promise((r) => setTimeout(r, 200));
      expect(received.path).toBe('/b');
      expect(hook.received).toHaveLength(1);
      expect(sb.sandbox.control.transaction(dropped.referenceId)?.callback).toMatchObject({ dropped: true, attempts: 0 });
    } finally {
      await hook.close();
    }
  });

  it('refuses malformed rules with 400', async () => {
    expect((await addFault({ kind: 'explode' })).status).toBe(400);
    expect((await addFault({ kind: 'error', probability: 2 })).status).toBe(400);
    expect((await addFault({ kind: 'error', count: 0 })).status).toBe(400);
    expect((await addFault({ kind: 'latency' })).status).toBe(400);
    expect((await addFault({ kind: 'error', status: 404 })).status).toBe(400);
  });
});

describe('faults from settings', () => {
  it('applies errorRate to MoMo calls but never to provisioning', async () => {
    sb.sandbox.control.updateSettings({ faults: { errorRate: 1 } });
    const answer = await c.get('collection', '/v1_0/account/balance');
    expect([500, 503]).toContain(answer.status);
    expect((await call(sb.url, 'GET', `/v1_0/apiuser/${c.apiUser}`, { headers: { 'Ocp-Apim-Subscription-Key': 'k' } })).status).toBe(200);
  });

  it('applies lostAnswerRate: the create happens, the client does not hear it', async () => {
    sb.sandbox.control.updateSettings({ faults: { lostAnswerRate: 1 } });
    const referenceId = randomUUID();
    const outcome = await fetch(`${sb.url}/collection/v1_0/requesttopay`, {
      method: 'POST',
      headers: { ...c.headers('collection'), 'X-Reference-Id': referenceId, 'Content-Type': 'application/json' },
      body: JSON.stringify(payment('256777000007')),
    }).then((r) => r.status, () => 'dropped');
    expect([500, 'dropped']).toContain(outcome);
    expect(sb.sandbox.control.transaction(referenceId)?.status).toBe('SUCCESSFUL');
  });

  it('applies latencyMs and timeoutRate', async () => {
    for (const faults of [{ latencyMs: 60_000 }, { latencyMs: 0, timeoutRate: 1 }]) {
      sb.sandbox.control.updateSettings({ faults });
      await expect(fetch(`${sb.url}/collection/v1_0/account/balance`, { headers: c.headers('collection'), signal: AbortSignal.timeout(300) })).rejects.toThrow();
    }
    sb.sandbox.control.updateSettings({ faults: { timeoutRate: 0 } });
    expect((await c.get('collection', '/v1_0/account/balance')).status).toBe(200);
  });

  it('applies dropCallbackRate', async () => {
    sb.sandbox.control.updateSettings({ faults: { dropCallbackRate: 1 } });
    const created = await c.create('collection', '/v1_0/requesttopay', payment('256777000008'), { 'X-Callback-Url': 'http://127.0.0.1:9/cb' });
    expect(sb.sandbox.control.transaction(created.referenceId)?.callback?.dropped).toBe(true);
  });
});
