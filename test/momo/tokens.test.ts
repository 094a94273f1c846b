// Access tokens: one request however many calls wait, renewal before expiry by the client's
// clock, and one renewal plus one resend when MoMo refuses an expired token.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { calls, clientFor, payment, startHarness, statuses, type Harness } from './helpers';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());
beforeEach(() => harness.running.sandbox.control.reset());

describe('tokens', () => {
  it('one token request for 20 concurrent calls, then reused', async () => {
    const { client } = clientFor(harness);
    const results = await Promise.all(Array.from({ length: 20 }, () => client.collection.getBalance()));
    expect(results).toHaveLength(20);
    expect(calls(harness, 'collection.token')).toBe(1);
    expect(calls(harness, 'collection.getBalance')).toBe(20);
    await client.collection.getBalance();
    expect(calls(harness, 'collection.token')).toBe(1);
  });

  it('one token per product', async () => {
    const { client } = clientFor(harness);
    await Promise.all([client.collection.getBalance(), client.disbursement.getBalance(), client.remittance.getBalance(), client.collection.getBalance()]);
    expect(calls(harness, 'collection.token')).toBe(1);
    expect(calls(harness, 'disbursement.token')).toBe(1);
    expect(calls(harness, 'remittance.token')).toBe(1);
  });

  it('renews before expiry by its own clock, without MoMo ever refusing the old token', async () => {
    let now = Date.now();
    const { client } = clientFor(harness, { clock: () => now });
    await client.collection.getBalance();
    now += 50 * 60_000;
    await client.collection.getBalance();
    expect(calls(harness, 'collection.token')).toBe(1);
    // Three minutes before the hour is inside the renewal margin: the sandbox would still take
    // the old token, so the second token request can only come from the client's own timing.
    now += 7 * 60_000;
    await Promise.all(Array.from({ length: 10 }, () => client.collection.getBalance()));
    expect(calls(harness, 'collection.token')).toBe(2);
    expect(statuses(harness, 'collection.getBalance')).toEqual({ '200': 12 });
  });

  it('an expired token (sandbox clock moved past the hour) is renewed once and the call resent once', async () => {
    const { client } = clientFor(harness);
    const first = payment();
    await client.collection.requestToPay(first);
    harness.running.sandbox.control.advanceClock(3601_000);
    await expect(client.collection.getRequestToPay(first.referenceId)).resolves.toMatchObject({ status: 'SUCCESSFUL' });
    expect(calls(harness, 'collection.token')).toBe(2);
    expect(statuses(harness, 'collection.getRequestToPay')).toEqual({ '200': 1, '401': 1 });
  });

  it('20 concurrent calls refused with the same expired token cause a single renewal', async () => {
    const { client } = clientFor(harness);
    await client.disbursement.getBalance();
    harness.running.sandbox.control.advanceClock(3601_000);
    await Promise.all(Array.from({ length: 20 }, () => client.disbursement.getBalance()));
    expect(calls(harness, 'disbursement.token')).toBe(2);
    expect(statuses(harness, 'disbursement.getBalance')).toEqual({ '200': 21, '401': 20 });
  });

  it('a create refused for an expired token is resent with the same reference id and lands once', async () => {
    const { client } = clientFor(harness);
    await client.disbursement.getBalance();
    harness.running.sandbox.control.advanceClock(3601_000);
    const input = { ...payment(), payee: { partyIdType: 'MSISDN' as const, partyId: '256772000111' } };
    await expect(client.disbursement.transfer(input)).resolves.toBe(input.referenceId);
    expect(statuses(harness, 'disbursement.transfer')).toEqual({ '202': 1, '401': 1 });
    expect(harness.running.sandbox.control.transactions({ product: 'disbursement' })).toHaveLength(1);
  });
});
