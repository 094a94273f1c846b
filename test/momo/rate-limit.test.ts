// The client's own rate limits: per product two lanes, status reads (statusReadsPerSecond) and
// creates (createsPerSecond), each never exceeded in any one-second window, waiting calls served
// in order, products limited separately, and a create never held up by queued reads.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMomoClient, newReferenceId } from '../../src/momo';
import { clientFor, payment, RAW_CREDENTIALS, startHarness, startRawServer, TOKEN_ANSWER, type Harness } from './helpers';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());
beforeEach(() => harness.running.sandbox.control.reset());

function busiestSecond(starts: number[]): number {
  return Math.max(0, ...starts.map((start) => starts.filter((t) => t >= start && t < start + 1000).length));
}

describe('rate limiter', () => {
  it('never lets more status reads than the limit out in any one-second window, and serves waiters in order', async () => {
    const limit = 5;
    const { client, events } = clientFor(harness, { statusReadsPerSecond: limit });
    const ids = Array.from({ length: 16 }, () => newReferenceId());
    // Unknown references: each read is answered 404 at once, so only the limiter spaces them.
    const reads = Promise.allSettled(ids.map((id) => client.collection.getRequestToPay(id)));
    const other = client.disbursement.getBalance();
    await Promise.all([reads, other]);

    const collectionReads = events.filter((e) => e.operation === 'collection.getRequestToPay');
    expect(collectionReads).toHaveLength(16);
    expect(busiestSecond(collectionReads.map((e) => e.startedAt!))).toBe(limit);

    const readsInStartOrder = [...collectionReads].sort((a, b) => a.startedAt! - b.startedAt!).map((e) => e.referenceId);
    expect(readsInStartOrder).toEqual(ids);

    // Disbursement has its own allowance: it did not queue behind Collection's backlog.
    const disbursementStarts = events.filter((e) => e.product === 'disbursement').map((e) => e.startedAt!);
    expect(Math.max(...disbursementStarts)).toBeLessThan(Math.max(...collectionReads.map((e) => e.startedAt!)));
  });

  it('counts retries against the same allowance', async () => {
    const limit = 3;
    const { client, events } = clientFor(harness, { statusReadsPerSecond: limit, maxRetries: 3 });
    harness.running.sandbox.control.addFault({ kind: 'error', status: 503, operation: 'remittance.getBalance', count: 3 });
    await Promise.all([client.remittance.getBalance(), client.remittance.getBalance('EUR')]);
    const starts = events.filter((e) => e.operation === 'remittance.getBalance').map((e) => e.startedAt!);
    expect(starts).toHaveLength(5);
    expect(busiestSecond(starts)).toBe(limit);
  });

  it('a backlog of 50 queued status reads does not delay creates: they have a lane of their own', async () => {
    const readLimit = 20;
    const { client, events } = clientFor(harness, { statusReadsPerSecond: readLimit, createsPerSecond: 50 });
    // The token first, so every read below is queued at the read lane before the creates come.
    await client.collection.getBalance();
    const reads = Promise.allSettled(Array.from({ length: 50 }, () => client.collection.getRequestToPay(newReferenceId())));
    await new Promise((resolve) => setTimeout(resolve, 0));
    const inputs = Array.from({ length: 10 }, () => payment());
    await expect(Promise.all(inputs.map((input) => client.collection.requestToPay(input)))).resolves.toHaveLength(10);
    await reads;

    const readStarts = events.filter((e) => e.operation === 'collection.getRequestToPay').map((e) => e.startedAt!);
    const createStarts = events.filter((e) => e.operation === 'collection.requestToPay').map((e) => e.startedAt!);
    expect(readStarts).toHaveLength(50);
    expect(createStarts).toHaveLength(10);
    // Every create went out while most of the backlog was still waiting...
    const readsBeforeLastCreate = readStarts.filter((t) => t < Math.max(...createStarts)).length;
    expect(readsBeforeLastCreate).toBeLessThan(25);
    // ...without taking read slots: the reads kept their whole allowance, so together the two
    // lanes sent more in one second than one shared lane ever could.
    expect(busiestSecond(readStarts)).toBeLessThanOrEqual(readLimit);
    expect(busiestSecond([...readStarts, ...createStarts])).toBeGreaterThan(readLimit);
  });
});

describe('rate limits as MoMo sees them', () => {
  it('a token comes back one window after its exchange ended, so late arrivals cannot crowd a second', async () => {
    // Slow answers stand for requests that reach MoMo late (a fresh connection, a TLS
    // handshake): counted from when they were let through, the third read would go out while
    // the first may only just have arrived.
    const server = await startRawServer((_method, path) =>
      path.endsWith('/token/') ? TOKEN_ANSWER : { status: 404, body: JSON.stringify({ code: 'RESOURCE_NOT_FOUND', message: 'not found' }), delayMs: 400 },
    );
    try {
      const client = createMomoClient({ baseUrl: server.url, targetEnvironment: 'sandbox', credentials: RAW_CREDENTIALS, statusReadsPerSecond: 2 });
      await Promise.allSettled(Array.from({ length: 4 }, () => client.collection.getRequestToPay(newReferenceId())));
      const reads = server.arrivals.filter((a) => a.method === 'GET').sort((a, b) => a.at - b.at);
      expect(reads).toHaveLength(4);
      for (let i = 2; i < reads.length; i++) expect(reads[i]!.at).toBeGreaterThanOrEqual(reads[i - 2]!.answeredAt! + 1000);
    } finally {
      await server.close();
    }
  });

  it('under sustained mixed load, the server never sees more than each lane allows in any one-second window', async () => {
    const server = await startRawServer((method, path) => {
      if (path.endsWith('/token/')) return TOKEN_ANSWER;
      if (method === 'POST') return { status: 202 };
      return { status: 404, body: JSON.stringify({ code: 'RESOURCE_NOT_FOUND', message: 'Requested resource was not found.' }) };
    });
    try {
      const reads = 10;
      const creates = 20;
      const client = createMomoClient({
        baseUrl: server.url,
        targetEnvironment: 'sandbox',
        credentials: RAW_CREDENTIALS,
        statusReadsPerSecond: reads,
        createsPerSecond: creates,
      });
      // Three waves of mixed calls, each landing while the last is still queued. The reads are
      // answered 404 (unknown references), which is all the server needs to count them.
      const calls: Promise<unknown>[] = [];
      const settle = (call: Promise<unknown>) => calls.push(call.catch(() => null));
      for (let wave = 0; wave < 3; wave++) {
        for (let i = 0; i < 8; i++) settle(client.collection.getRequestToPay(newReferenceId()));
        for (let i = 0; i < 16; i++) settle(client.collection.requestToPay(payment()));
        await new Promise((resolve) => setTimeout(resolve, 700));
      }
      await Promise.all(calls);

      const readArrivals = server.arrivals.filter((a) => a.method === 'GET').map((a) => a.at);
      // Token requests share the creates lane.
      const createArrivals = server.arrivals.filter((a) => a.method === 'POST').map((a) => a.at);
      expect(readArrivals).toHaveLength(24);
      expect(createArrivals).toHaveLength(49);
      expect(busiestSecond(readArrivals)).toBeLessThanOrEqual(reads);
      expect(busiestSecond(createArrivals)).toBeLessThanOrEqual(creates);
      // The load did hold both lanes near their limits, so the bounds above were tested.
      expect(busiestSecond(readArrivals)).toBeGreaterThan(reads / 2);
      expect(busiestSecond(createArrivals)).toBeGreaterThan(creates / 2);
    } finally {
      await server.close();
    }
  });
});
