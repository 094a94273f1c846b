// The MoMo client's onCall hook, which /metrics counts: one event per call as its caller saw
// it (retries and the token request inside it), with the failure's code as the outcome.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newReferenceId, type MomoCallEvent } from '../../src/momo';
import { clientFor, payment, rejection, startHarness, type Harness } from '../momo/helpers';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());
beforeEach(() => harness.running.sandbox.control.reset());

function recording(overrides: Parameters<typeof clientFor>[1] = {}) {
  const calls: MomoCallEvent[] = [];
  const { client, events } = clientFor(harness, { onCall: (event) => calls.push(event), ...overrides });
  return { client, calls, exchanges: events };
}

describe('onCall', () => {
  it('reports each call once, with its outcome, and not the token request inside it', async () => {
    const { client, calls } = recording();
    await client.collection.requestToPay(payment());
    await rejection(client.collection.getRequestToPay(newReferenceId()));
    expect(calls.map((c) => [c.product, c.operation, c.outcome, c.status])).toEqual([
      ['collection', 'collection.requestToPay', 'ok', 202],
      ['collection', 'collection.getRequestToPay', 'RESOURCE_NOT_FOUND', 404],
    ]);
    for (const call of calls) expect(call.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('a call that succeeded on a retry is one ok call, though it took two exchanges', async () => {
    const { client, calls, exchanges } = recording();
    await client.collection.getBalance();
    harness.running.sandbox.control.addFault({ kind: 'error', status: 503, count: 1, operation: 'collection.getBalance' });
    calls.length = 0;
    exchanges.length = 0;
    await client.collection.getBalance();
    expect(exchanges.map((e) => e.status)).toEqual([503, 200]);
    expect(calls.map((c) => [c.operation, c.outcome])).toEqual([['collection.getBalance', 'ok']]);
  });

  it('a call the open circuit refused is reported as CIRCUIT_OPEN, with no status', async () => {
    const { client, calls } = recording({ maxRetries: 0, circuitThreshold: 1, circuitCooldownMs: 60_000 });
    harness.running.sandbox.control.addFault({ kind: 'error', status: 503, count: 1, operation: 'collection.getBalance' });
    await rejection(client.collection.getBalance());
    await rejection(client.collection.getBalance());
    expect(calls.map((c) => [c.outcome, c.status])).toEqual([
      ['SERVICE_UNAVAILABLE', 503],
      ['CIRCUIT_OPEN', null],
    ]);
  });

  it('an observer that throws does not fail the call', async () => {
    const { client } = recording({
      onCall: () => {
        throw new Error('metrics down');
      },
    });
    await expect(client.collection.getBalance()).resolves.toMatchObject({ currency: 'EUR' });
  });
});
