// Sokoni's shutdown closes its connections to MoMo: a server that keeps idle connections for a
// minute (as its Keep-Alive says) sees none left from Sokoni once sokoni.close() has resolved.
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import supertest from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config';
import { DEMO_PRODUCT_IDS } from '../../src/db';
import { silentLogger } from '../../src/log';
import { startSokoni } from '../../src/server';
import { quickWorker, tempDir } from '../checkout/helpers';
import { storeDatabase } from '../db/test-database';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A MoMo that grants tokens, accepts every create and reports every payment PENDING. */
async function startMomo(): Promise<{ url: string; requests: string[]; open(): number }> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      res.setHeader('Content-Type', 'application/json');
      if (req.url!.endsWith('/token/')) res.end(JSON.stringify({ access_token: 'shutdown-token', token_type: 'access_token', expires_in: 3600 }));
      else if (req.method === 'POST') res.writeHead(202).end();
      else res.end(JSON.stringify({ status: 'PENDING', amount: '1', currency: 'EUR', externalId: 'x', payer: { partyIdType: 'MSISDN', partyId: '256772123456' } }));
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, open: () => sockets.size };
}

describe('shutdown', () => {
  it('sokoni.close() leaves no connection open to MoMo', { timeout: 30_000 }, async () => {
    const momo = await startMomo();
    const temp = tempDir();
    cleanups.push(() => temp.remove());
    const database = await storeDatabase(temp.dir);
    cleanups.push(() => database.drop());
    const credentials = { PRIMARY_KEY: 'shutdown-key', USER_ID: '6f0a5d0e-3b1c-4d2e-9f3a-1b2c3d4e5f60', API_SECRET: 'shutdown-secret' };
    const env: Record<string, string> = { PORT: '0', ...database.env, ...quickWorker, MOMO_BASE_URL: momo.url, MOMO_TARGET_ENVIRONMENT: 'sandbox' };
    for (const product of ['COLLECTION', 'DISBURSEMENT']) for (const [name, value] of Object.entries(credentials)) env[`${product}_${name}`] = value;
    const sokoni = await startSokoni(loadConfig(env), { log: silentLogger });
    let closed = false;
    cleanups.push(() => (closed ? undefined : sokoni.close()));

    const placed = await supertest(sokoni.url).post('/pay').set('accept', 'application/json').send({ productId: DEMO_PRODUCT_IDS[0], qty: 1, phone: '256772123456' });
    expect(placed.status).toBe(202);
    await vi.waitFor(() => expect(momo.requests.some((r) => r.startsWith('GET /collection/v1_0/requesttopay/'))).toBe(true), { timeout: 10_000 });
    expect(momo.open()).toBeGreaterThan(0);

    await sokoni.close();
    closed = true;
    // Kept alive for a minute by the server's word, they close only because Sokoni closed them.
    await vi.waitFor(() => expect(momo.open()).toBe(0), { timeout: 5_000 });
  });
});
