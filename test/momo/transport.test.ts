// The HTTP layer itself: keep-alive connections, bounded in number, base URLs with a path, and
// one exchange's contract on undici (deadline, failures, answers, https, close).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMomoClient, newReferenceId, type MomoRequestEvent } from '../../src/momo';
import { createTransport, type Exchange, type Transport, type TransportOptions } from '../../src/momo/http';
import { tempDir } from '../checkout/helpers';
import { runScript } from '../processes';
import { RAW_CREDENTIALS, rejection, startRawServer, TOKEN_ANSWER } from './helpers';


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

const SECRET_HEADERS = { Authorization: 'Bearer transport-secret-token', 'Ocp-Apim-Subscription-Key': 'transport-secret-key' };

function statusRead(path = '/collection/v1_0/requesttopay/4f1a3c2e-7b9d-4e8f-a1b2-000000000001'): Exchange {
  return { product: 'collection', operation: 'collection.getRequestToPay', method: 'GET', path, headers: SECRET_HEADERS, referenceId: null, attempt: 1 };
}

/** A server whose every answer the test writes itself, counting the connections open to it. */
async function startServer(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; paths: string[]; open(): number; close(): Promise<void> }> {
  const paths: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    handle(req, res);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('one exchange on undici', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void) {
    const server = await startServer(handle);
    cleanups.push(server.close);
    return server;
  }
  function transportTo(url: string, options: Partial<TransportOptions> = {}): Transport {
    const transport = createTransport({ baseUrl: url, timeoutMs: 2_000, maxSockets: 4, now: Date.now, ...options });
    cleanups.push(() => transport.close());
    return transport;
  }

  it('the deadline covers a body that stalls after the headers', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"status":');
    });
    const events: MomoRequestEvent[] = [];
    const error = await rejection(transportTo(server.url, { timeoutMs: 150, onRequest: (e) => events.push(e) }).send(statusRead()));
    expect(error).toMatchObject({ status: null, code: 'TIMEOUT', message: 'no answer within 150 ms', retryable: true });
    expect(events.map((e) => [e.status, e.errorCode])).toEqual([[null, 'TIMEOUT']]);
  });

  it('an exchange still waiting for a connection when its deadline passes is dropped, never sent', async () => {
    const server = await serve((req, res) => {
      // The first read is held; the last one is answered.
      if (req.url!.endsWith('/last')) res.end('{"status":"SUCCESSFUL"}');
    });
    const transport = transportTo(server.url, { timeoutMs: 150, maxSockets: 1 });
    const [held, queued] = await Promise.all([rejection(transport.send(statusRead('/held'))), rejection(transport.send(statusRead('/queued')))]);
    expect([held.code, queued.code]).toEqual(['TIMEOUT', 'TIMEOUT']);
    // Queued behind the dropped one on the only connection: by its answer, the other had its turn.
    await expect(transportTo(server.url, { maxSockets: 1 }).send(statusRead('/last'))).resolves.toMatchObject({ status: 200 });
    await expect(transport.send(statusRead('/last'))).resolves.toMatchObject({ status: 200, body: { status: 'SUCCESSFUL' } });
    expect(server.paths).toEqual(['/held', '/last', '/last']);
  });

  it('a connection cut before the answer is a NETWORK_ERROR that carries no request header', async () => {
    const server = await serve((req) => req.socket.destroy());
    const error = await rejection(transportTo(server.url).send(statusRead()));
    expect(error).toMatchObject({ status: null, code: 'NETWORK_ERROR', operation: 'collection.getRequestToPay', retryable: true });
    const text = `${inspect(error, { depth: 10 })} ${JSON.stringify(error)}`;
    for (const secret of Object.values(SECRET_HEADERS)) expect(text).not.toContain(secret.split(' ').pop());
  });

  it('answers keep their status and body, JSON or not, and header names stay off Object.prototype', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/json') {
        res.writeHead(404, [['Content-Type', 'application/json'], ['__proto__', 'polluted'], ['constructor', 'named'], ['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2']]);
        res.end('{"code":"RESOURCE_NOT_FOUND"}');
      } else if (req.url === '/html') {
        res.writeHead(502, { 'Content-Type': 'text/html' });
        res.end('<html>Bad Gateway</html>');
      } else {
        res.writeHead(202);
        res.end();
      }
    });
    const transport = transportTo(server.url);
    const json = await transport.send(statusRead('/json'));
    expect(json).toMatchObject({ status: 404, body: { code: 'RESOURCE_NOT_FOUND' } });
    expect(Object.getPrototypeOf(json.headers)).toBeNull();
    expect(json.headers.constructor).toBe('named');
    expect(json.headers.__proto__).toBe('polluted');
    expect(json.headers['set-cookie']).toBe('a=1, b=2');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await expect(transport.send(statusRead('/html'))).resolves.toMatchObject({ status: 502, body: '<html>Bad Gateway</html>' });
    await expect(transport.send({ ...statusRead('/empty'), method: 'POST', body: { amount: '1' } })).resolves.toMatchObject({ status: 202, body: null });
  });

  it('sends a POST body as JSON with its length', async () => {
    let received = '';
    const server = await serve((req, res) => {
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (received += chunk));
      req.on('end', () => res.end(JSON.stringify({ type: req.headers['content-type'], length: req.headers['content-length'] })));
    });
    const body = { amount: '1250', payerMessage: 'Mamas Kitchen and Bar é' };
    const answer = await transportTo(server.url).send({ ...statusRead('/collection/v1_0/requesttopay'), method: 'POST', body });
    expect(JSON.parse(received)).toEqual(body);
    expect(answer.body).toEqual({ type: 'application/json', length: String(Buffer.byteLength(JSON.stringify(body))) });
  });

  it('close() lets the exchange under way end, then closes the connections; later sends fail as NETWORK_ERROR; closing again is harmless', async () => {
    const server = await serve((_req, res) => setTimeout(() => res.end('{"status":"SUCCESSFUL"}'), 50));
    const transport = transportTo(server.url);
    const underWay = transport.send(statusRead());
    await vi.waitFor(() => expect(server.paths).toHaveLength(1));
    const closed = transport.close();
    await expect(underWay).resolves.toMatchObject({ status: 200, body: { status: 'SUCCESSFUL' } });
    await closed;
    // Without close() the idle connection would stay open for its 4 s keep-alive.
    await vi.waitFor(() => expect(server.open()).toBe(0), { timeout: 1_000 });
    await expect(rejection(transport.send(statusRead()))).resolves.toMatchObject({ code: 'NETWORK_ERROR', status: null });
    await transport.close();
  });

  it('speaks https and refuses a certificate nobody vouches for', async () => {
    // A certificate made for this run, so no private key lives in the repository.
    const temp = tempDir();
    cleanups.push(() => Promise.resolve(temp.remove()));
    const keyFile = join(temp.dir, 'key.pem');
    const certFile = join(temp.dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    const tls = { key: readFileSync(keyFile), cert: readFileSync(certFile) };
    const paths: string[] = [];
    const handshakes: string[] = [];
    const server = createHttpsServer(tls, (req, res) => {
      paths.push(req.url ?? '');
      res.end('{"status":"SUCCESSFUL"}');
    });
    server.on('tlsClientError', (error: NodeJS.ErrnoException) => handshakes.push(error.code ?? error.message));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const error = await rejection(transportTo(url).send(statusRead()));
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', status: null });
    expect(error.message).toMatch(/self[- ]signed certificate/);
    expect(paths).toEqual([]);
    await vi.waitFor(() => expect(handshakes).toHaveLength(1));

    // Trusted by the child's NODE_EXTRA_CA_CERTS, the same certificate carries an exchange.
    const child = runScript('test/momo/tls/exchange.ts', { args: [url], env: { NODE_EXTRA_CA_CERTS: certFile } });
    cleanups.push(() => child.stop());
    expect(await child.exited).toBe(0);
    expect(JSON.parse(child.stdout())).toMatchObject({ status: 200, body: { status: 'SUCCESSFUL' } });
    expect(paths).toEqual(['/collection/v1_0/requesttopay/4f1a3c2e-7b9d-4e8f-a1b2-000000000001']);
  });
});
