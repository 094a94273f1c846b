// The client's own rate limit: never more than rateLimitPerSecond exchanges per product in any
// one-second window, waiting calls served in order, products limited separately.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newReferenceId } from '../../src/momo';
import { clientFor, startHarness, type Harness } from './helpers';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());
beforeEach(() => harness.running.sandbox.control.reset());

function busiestSecond(starts: number[]): number {
  return Math.max(...starts.map((start) => starts.filter((t) => t >= start && t < start + 1000).length));
}

describe('rate limiter', () => {
  it('never lets more than the limit out in any one-second window, and serves waiters in order', async () => {
    const limit = 5;
    const { client, events } = clientFor(harness, { rateLimitPerSecond: limit });
    const ids = Array.from({ length: 16 }, () => newReferenceId());
    // Unknown references: each read is answered 404 at once, so only the limiter spaces them.
    const reads = Promise.allSettled(ids.map((id) => client.collection.getRequestToPay(id)));
    const other = client.disbursement.getBalance();
    await Promise.all([reads, other]);

    const collection = events.filter((e) => e.product === 'collection');
    expect(collection).toHaveLength(17);
    expect(busiestSecond(collection.map((e) => e.startedAt!))).toBe(limit);

    const readsInStartOrder = collection
      .filter((e) => e.operation === 'collection.getRequestToPay')
      .sort((a, b) => a.startedAt! - b.startedAt!)
      .map((e) => e.referenceId);
    expect(readsInStartOrder).toEqual(ids);

    // Disbursement has its own allowance: it did not queue behind Collection's backlog.
    const disbursementStarts = events.filter((e) => e.product === 'disbursement').map((e) => e.startedAt!);
    expect(Math.max(...disbursementStarts)).toBeLessThan(Math.max(...collection.map((e) => e.startedAt!)));
  });

  it('counts retries and token requests against the same allowance', async () => {
    const limit = 3;
    const { client, events } = clientFor(harness, { rateLimitPerSecond: limit, maxRetries: 3 });
    harness.running.sandbox.control.addFault({ kind: 'error', status: 503, operation: 'remittance.getBalance', count: 3 });
    await Promise.all([client.remittance.getBalance(), client.remittance.getBalance('EUR')]);
    const starts = events.filter((e) => e.product === 'remittance').map((e) => e.startedAt!);
    expect(starts).toHaveLength(6);
    expect(busiestSecond(starts)).toBe(limit);
  });
});
