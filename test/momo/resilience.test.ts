// Retries with the same reference id, lost answers, and the per-product circuit breaker.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newReferenceId } from '../../src/momo';
import { calls, clientFor, payment, payout, rejection, startHarness, statuses, totalCalls, type Harness } from './helpers';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());
beforeEach(() => harness.running.sandbox.control.reset());

const control = () => harness.running.sandbox.control;

describe('retries', () => {
  it('a create whose answer was lost (connection dropped after the state changed) resolves, and exactly one transaction exists', async () => {
    const { client, events } = clientFor(harness, { maxRetries: 3 });
    control().addFault({ kind: 'lostAnswer', as: 'drop', operation: 'collection.requestToPay', count: 1 });
    const input = payment();
    await expect(client.collection.requestToPay(input)).resolves.toBe(input.referenceId);
    expect(calls(harness, 'collection.requestToPay')).toBe(2);
    expect(statuses(harness, 'collection.requestToPay')).toEqual({ '409': 1 });
    expect(control().transactions()).toHaveLength(1);
    const creates = events.filter((e) => e.operation === 'collection.requestToPay');
    expect(creates.map((e) => [e.referenceId, e.attempt, e.errorCode])).toEqual([
      [input.referenceId, 1, 'NETWORK_ERROR'],
      [input.referenceId, 2, 'RESOURCE_ALREADY_EXIST'],
    ]);
  });

  it('the same for a payout', async () => {
    const { client } = clientFor(harness, { maxRetries: 3 });
    control().addFault({ kind: 'lostAnswer', operation: 'disbursement.transfer', count: 1 });
    const input = payout();
    await expect(client.disbursement.transfer(input)).resolves.toBe(input.referenceId);
    expect(control().transactions({ product: 'disbursement' })).toHaveLength(1);
    await expect(client.disbursement.getTransfer(input.referenceId)).resolves.toMatchObject({ status: 'SUCCESSFUL' });
  });

  it('a timed-out create is resent with the same reference id', async () => {
    const { client, events } = clientFor(harness, { maxRetries: 2, timeoutMs: 300 });
    control().addFault({ kind: 'timeout', holdMs: 3000, operation: 'collection.requestToPay', count: 1 });
    const input = payment();
    await expect(client.collection.requestToPay(input)).resolves.toBe(input.referenceId);
    expect(events.filter((e) => e.operation === 'collection.requestToPay').map((e) => e.errorCode)).toEqual(['TIMEOUT', null]);
    expect(control().transactions()).toHaveLength(1);
  });

  it('a lost answer reported as a 500 is not retried: the caller looks the reference up', async () => {
    const { client } = clientFor(harness, { maxRetries: 3 });
    control().addFault({ kind: 'lostAnswer', as: 'error', operation: 'collection.requestToPay', count: 1 });
    const input = payment();
    const error = await rejection(client.collection.requestToPay(input));
    expect(error).toMatchObject({ status: 500, code: 'INTERNAL_PROCESSING_ERROR', referenceId: input.referenceId, retryable: false });
    expect(calls(harness, 'collection.requestToPay')).toBe(1);
    await expect(client.collection.getRequestToPay(input.referenceId)).resolves.toMatchObject({ referenceId: input.referenceId });
  });

  it('status reads are retried on 503 and succeed', async () => {
    const { client } = clientFor(harness, { maxRetries: 3 });
    const input = payment();
    await client.collection.requestToPay(input);
    control().addFault({ kind: 'error', status: 503, operation: 'collection.getRequestToPay', count: 2 });
    await expect(client.collection.getRequestToPay(input.referenceId)).resolves.toMatchObject({ status: 'SUCCESSFUL' });
    expect(statuses(harness, 'collection.getRequestToPay')).toEqual({ '503': 2, '200': 1 });
  });

  it('creates are retried on 503 with the same reference id', async () => {
    const { client } = clientFor(harness, { maxRetries: 3 });
    control().addFault({ kind: 'error', status: 503, operation: 'remittance.transfer', count: 1 });
    const input = payout();
    await expect(client.remittance.transfer(input)).resolves.toBe(input.referenceId);
    expect(statuses(harness, 'remittance.transfer')).toEqual({ '503': 1, '202': 1 });
    expect(control().transaction(input.referenceId)?.status).toBe('SUCCESSFUL');
  });

  it('no more than maxRetries retries', async () => {
    const { client } = clientFor(harness, { maxRetries: 1, circuitThreshold: 100 });
    control().addFault({ kind: 'error', status: 503, operation: 'collection.getBalance' });
    const error = await rejection(client.collection.getBalance());
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    expect(calls(harness, 'collection.getBalance')).toBe(2);
  });

  it('a 500 is not retried', async () => {
    const { client } = clientFor(harness, { maxRetries: 3 });
    control().addFault({ kind: 'error', status: 500, operation: 'collection.getRequestToPay', count: 1 });
    const error = await rejection(client.collection.getRequestToPay(newReferenceId()));
    expect(error).toMatchObject({ status: 500, code: 'INTERNAL_PROCESSING_ERROR' });
    expect(calls(harness, 'collection.getRequestToPay')).toBe(1);
  });
});

describe('circuit breaker', () => {
  const options = { maxRetries: 0, circuitThreshold: 3, circuitCooldownMs: 300 };

  it('opens after consecutive outages, fails fast without calling MoMo, and leaves other products alone', async () => {
    const { client } = clientFor(harness, options);
    control().addFault({ kind: 'error', status: 503, operation: 'collection.*' });
    for (let i = 0; i < 3; i++) await expect(rejection(client.collection.getBalance())).resolves.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    const before = totalCalls(harness);
    const error = await rejection(client.collection.requestToPay(payment()));
    expect(error).toMatchObject({ code: 'CIRCUIT_OPEN', status: null, operation: 'collection.requestToPay', retryable: true });
    expect(totalCalls(harness)).toBe(before);
    await expect(client.disbursement.getBalance()).resolves.toMatchObject({ currency: 'EUR' });
  });

  it('after the cool-down lets one probe through; its success closes the circuit', async () => {
    const { client } = clientFor(harness, options);
    control().addFault({ kind: 'error', status: 503, operation: 'collection.getBalance' });
    for (let i = 0; i < 3; i++) await rejection(client.collection.getBalance());
    control().clearFaults();
    await expect(rejection(client.collection.getBalance())).resolves.toMatchObject({ code: 'CIRCUIT_OPEN' });
    await new Promise((resolve) => setTimeout(resolve, 350));
    const probe = client.collection.getBalance();
    // Started while the probe is out: refused, the probe alone tests the water.
    await expect(rejection(client.collection.getBalance())).resolves.toMatchObject({ code: 'CIRCUIT_OPEN' });
    await expect(probe).resolves.toMatchObject({ currency: 'EUR' });
    await expect(Promise.all([client.collection.getBalance(), client.collection.getBalance()])).resolves.toHaveLength(2);
  });

  it('a failed probe opens it again for another cool-down', async () => {
    const { client } = clientFor(harness, options);
    control().addFault({ kind: 'error', status: 503, operation: 'collection.getBalance' });
    for (let i = 0; i < 3; i++) await rejection(client.collection.getBalance());
    await new Promise((resolve) => setTimeout(resolve, 350));
    const before = calls(harness, 'collection.getBalance');
    await expect(rejection(client.collection.getBalance())).resolves.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(calls(harness, 'collection.getBalance')).toBe(before + 1);
    await expect(rejection(client.collection.getBalance())).resolves.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(calls(harness, 'collection.getBalance')).toBe(before + 1);
  });

  it('answers that are not outages (404, 409, business 500s) reset the count', async () => {
    const { client } = clientFor(harness, options);
    control().addFault({ kind: 'error', status: 503, operation: 'collection.getBalance', count: 2 });
    for (let i = 0; i < 2; i++) await rejection(client.collection.getBalance());
    await rejection(client.collection.getRequestToPay(newReferenceId()));
    control().addFault({ kind: 'error', status: 503, operation: 'collection.getBalance', count: 2 });
    for (let i = 0; i < 2; i++) await rejection(client.collection.getBalance());
    await expect(client.collection.getBalance()).resolves.toMatchObject({ currency: 'EUR' });
  });

  it('timeouts count as outages', async () => {
    const { client } = clientFor(harness, { ...options, timeoutMs: 150 });
    control().addFault({ kind: 'timeout', holdMs: 2000, operation: 'remittance.getBalance' });
    for (let i = 0; i < 3; i++) await expect(rejection(client.remittance.getBalance())).resolves.toMatchObject({ code: 'TIMEOUT' });
    await expect(rejection(client.remittance.getBalance())).resolves.toMatchObject({ code: 'CIRCUIT_OPEN' });
  });
});
