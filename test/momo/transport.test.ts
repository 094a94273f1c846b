// The HTTP layer itself: keep-alive connections, bounded in number, and base URLs with a path.
import { describe, expect, it } from 'vitest';
import { createMomoClient, newReferenceId } from '../../src/momo';
import { RAW_CREDENTIALS, startRawServer, TOKEN_ANSWER } from './helpers';

const NOT_FOUND = { status: 404, body: JSON.stringify({ code: 'RESOURCE_NOT_FOUND', message: 'Requested resource was not found.' }) };

describe('transport', () => {
  it('reuses keep-alive connections and never opens more than maxSockets', async () => {
    const server = await startRawServer((_method, path) => (path.endsWith('/token/') ? TOKEN_ANSWER : NOT_FOUND));
    try {
      const client = createMomoClient({ baseUrl: server.url, targetEnvironment: 'sandbox', credentials: RAW_CREDENTIALS, maxSockets: 3, statusReadsPerSecond: 100_000 });
      const burst = await Promise.allSettled(Array.from({ length: 40 }, () => client.collection.getRequestToPay(newReferenceId())));
      expect(burst.every((r) => r.status === 'rejected' && (r.reason as { status?: number }).status === 404)).toBe(true);
      for (let i = 0; i < 10; i++) await client.collection.getRequestToPay(newReferenceId()).catch(() => null);

      expect(server.arrivals).toHaveLength(51);
      expect(new Set(server.arrivals.map((a) => a.clientPort)).size).toBeLessThanOrEqual(3);
    } finally {
      await server.close();
    }
  });

  it('sends below the base URL path, as for the sandbox mounted at /sandbox', async () => {
    const server = await startRawServer((_method, path) => (path.endsWith('/token/') ? TOKEN_ANSWER : NOT_FOUND));
    try {
      const client = createMomoClient({ baseUrl: `${server.url}/sandbox/`, targetEnvironment: 'sandbox', credentials: RAW_CREDENTIALS });
      const id = newReferenceId();
      await client.collection.getRequestToPay(id).catch(() => null);
      expect(server.seen).toEqual(['POST /sandbox/collection/token/', `GET /sandbox/collection/v1_0/requesttopay/${id}`]);
    } finally {
      await server.close();
    }
  });
});
