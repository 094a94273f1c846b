// The onRequest hook: one event per HTTP exchange, with timing and outcome, and never a secret.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newReferenceId, type MomoRequestEvent } from '../../src/momo';
import { clientFor, payment, rejection, startHarness, type Harness } from './helpers';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());
beforeEach(() => harness.running.sandbox.control.reset());

describe('onRequest', () => {
  it('reports every exchange with its operation, path, status, attempt and outcome', async () => {
    const { client, events } = clientFor(harness);
    const input = payment();
    await client.collection.requestToPay(input);
    await rejection(client.collection.getRequestToPay(newReferenceId()));
    expect(events.map((e) => [e.product, e.operation, e.method, e.status, e.outcome, e.errorCode])).toEqual([
      ['collection', 'collection.token', 'POST', 200, 'ok', null],
      ['collection', 'collection.requestToPay', 'POST', 202, 'ok', null],
      ['collection', 'collection.getRequestToPay', 'GET', 404, 'error', 'RESOURCE_NOT_FOUND'],
    ]);
    expect(events[1]).toMatchObject({ path: '/collection/v1_0/requesttopay', referenceId: input.referenceId, attempt: 1 });
    for (const event of events) {
      expect(event.durationMs).toBeGreaterThanOrEqual(0);
      expect(event.startedAt).toEqual(expect.any(Number));
    }
  });

  it('never carries keys, secrets or tokens', async () => {
    const { client, events } = clientFor(harness);
    await client.collection.requestToPay(payment());
    const wrong = clientFor(harness, { credentials: { disbursement: { ...harness.credentials.disbursement, apiKey: 'a-wrong-secret' } } });
    await rejection(wrong.client.disbursement.getBalance());
    const provisioned = await client.provisioning('provisioning-key-secret').createApiUser({ referenceId: newReferenceId(), providerCallbackHost: 'shop.example' });
    await client.provisioning('provisioning-key-secret').createApiKey(provisioned);
    const text = JSON.stringify([...events, ...wrong.events]);
    const secrets = [
      ...Object.values(harness.credentials).flatMap((c) => [c.apiKey, c.subscriptionKey]),
      'a-wrong-secret',
      'provisioning-key-secret',
      'Bearer',
      'Basic',
      // Every MoMo token starts with the base64 of {"typ":"JWT"...
      'eyJ',
    ];
    for (const secret of secrets) expect(text).not.toContain(secret);
    const keys: (keyof MomoRequestEvent)[] = ['product', 'operation', 'method', 'path', 'referenceId', 'status', 'durationMs', 'attempt', 'outcome', 'errorCode', 'startedAt'];
    for (const event of events) expect(Object.keys(event).sort()).toEqual([...keys].sort());
  });

  it('a hook that throws does not fail the call', async () => {
    const { client } = clientFor(harness, {
      onRequest: () => {
        throw new Error('logger down');
      },
    });
    await expect(client.collection.getBalance()).resolves.toMatchObject({ currency: 'EUR' });
  });
});
