// The circuit breakers as the outside sees them: health() per product without calling MoMo, and
// a call refused by an open circuit saying when a probe will be let through.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { calls, clientFor, payment, rejection, startHarness, totalCalls, type Harness } from './helpers';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());
beforeEach(() => harness.running.sandbox.control.reset());

const control = () => harness.running.sandbox.control;
// A wall clock that stands still, so retryAt can be read against it exactly.
const WALL = 1_800_000_000_000;
const COOLDOWN = 300;
const options = { maxRetries: 0, circuitThreshold: 2, circuitCooldownMs: COOLDOWN, clock: () => WALL };

describe('health()', () => {
  it('reports every product closed at first, and a product without credentials as not configured', () => {
    const { client } = clientFor(harness, { ...options, credentials: { collection: harness.credentials.collection } });
    expect(client.health()).toEqual({
      collection: { configured: true, state: 'closed', retryAt: null },
      disbursement: { configured: false, state: 'closed', retryAt: null },
      remittance: { configured: false, state: 'closed', retryAt: null },
    });
  });

  it('shows an open circuit with the time a probe will be allowed, which the refused call carries too', async () => {
    const { client } = clientFor(harness, options);
    control().addFault({ kind: 'error', status: 503, operation: 'collection.*' });
    for (let i = 0; i < 2; i++) await rejection(client.collection.getBalance());

    const before = totalCalls(harness);
    const open = client.health().collection;
    expect(open).toMatchObject({ configured: true, state: 'open' });
    expect(open.retryAt).toBeGreaterThan(WALL);
    expect(open.retryAt).toBeLessThanOrEqual(WALL + COOLDOWN);
    expect(client.health().disbursement).toEqual({ configured: true, state: 'closed', retryAt: null });

    const refused = await rejection(client.collection.requestToPay(payment()));
    expect(refused).toMatchObject({ code: 'CIRCUIT_OPEN', operation: 'collection.requestToPay' });
    expect(refused.retryAt).toBeGreaterThan(WALL);
    expect(refused.retryAt).toBeLessThanOrEqual(open.retryAt!);
    // Reading the state called nothing.
    expect(totalCalls(harness)).toBe(before);
  });

  it('once the cool-down is over says a probe may go now; while the probe is out, half_open; then closed', async () => {
    const { client } = clientFor(harness, options);
    control().addFault({ kind: 'error', status: 503, operation: 'collection.getBalance' });
    for (let i = 0; i < 2; i++) await rejection(client.collection.getBalance());
    control().clearFaults();
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN + 50));
    expect(client.health().collection).toEqual({ configured: true, state: 'open', retryAt: WALL });

    const probe = client.collection.getBalance();
    expect(client.health().collection).toEqual({ configured: true, state: 'half_open', retryAt: WALL + COOLDOWN });
    const refused = await rejection(client.collection.getBalance());
    expect(refused).toMatchObject({ code: 'CIRCUIT_OPEN', retryAt: WALL + COOLDOWN });
    await expect(probe).resolves.toMatchObject({ currency: 'EUR' });
    expect(client.health().collection).toEqual({ configured: true, state: 'closed', retryAt: null });
    expect(calls(harness, 'collection.getBalance')).toBe(3);
  });
});
