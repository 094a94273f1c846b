// Shared by the sandbox tests: start a sandbox on a real port, provision credentials over HTTP,
// and call it with fetch.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox';

export interface Answer {
  status: number;
  // A parsed JSON answer, read freely by the tests (like supertest's `body`, which is `any` too).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-only: JSON answers are read without narrowing
  body: any;
  text: string;
  headers: Headers;
}

export async function call(url: string, method: string, path: string, init: { headers?: Record<string, string>; body?: unknown; raw?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (init.raw !== undefined) body = init.raw;
  else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const response = await fetch(url + path, { method, headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}

export const SUBSCRIPTION_KEY = 'test-subscription-key';

export interface Client {
  url: string;
  apiUser: string;
  apiKey: string;
  /** Bearer tokens per product. */
  tokens: Record<string, string>;
  headers(product: string, extra?: Record<string, string>): Record<string, string>;
  get(product: string, path: string, extra?: Record<string, string>): Promise<Answer>;
  post(product: string, path: string, body: unknown, extra?: Record<string, string>): Promise<Answer>;
  /** POST with a fresh X-Reference-Id; returns it with the answer. */
  create(product: string, path: string, body: unknown, extra?: Record<string, string>): Promise<Answer & { referenceId: string }>;
}

export function basic(user: string, key: string): string {
  return `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}`;
}

export async function provision(url: string, providerCallbackHost = '127.0.0.1'): Promise<{ apiUser: string; apiKey: string }> {
  const apiUser = randomUUID();
  const created = await call(url, 'POST', '/v1_0/apiuser', {
    headers: { 'Ocp-Apim-Subscription-Key': SUBSCRIPTION_KEY, 'X-Reference-Id': apiUser },
    body: { providerCallbackHost },
  });
  if (created.status !== 201) throw new Error(`apiuser: ${created.status} ${created.text}`);
  const key = await call(url, 'POST', `/v1_0/apiuser/${apiUser}/apikey`, { headers: { 'Ocp-Apim-Subscription-Key': SUBSCRIPTION_KEY } });
  if (key.status !== 201) throw new Error(`apikey: ${key.status} ${key.text}`);
  return { apiUser, apiKey: key.body.apiKey };
}

export async function token(url: string, product: string, apiUser: string, apiKey: string): Promise<Answer> {
  return call(url, 'POST', `/${product}/token/`, { headers: { 'Ocp-Apim-Subscription-Key': SUBSCRIPTION_KEY, Authorization: basic(apiUser, apiKey) } });
}

export async function client(url: string, providerCallbackHost = '127.0.0.1'): Promise<Client> {
  const { apiUser, apiKey } = await provision(url, providerCallbackHost);
  const tokens: Record<string, string> = {};
  for (const product of ['collection', 'disbursement', 'remittance']) {
    const answer = await token(url, product, apiUser, apiKey);
    if (answer.status !== 200) throw new Error(`token: ${answer.status} ${answer.text}`);
    tokens[product] = answer.body.access_token;
  }
  const headers = (product: string, extra: Record<string, string> = {}) => ({
    'Ocp-Apim-Subscription-Key': SUBSCRIPTION_KEY,
    Authorization: `Bearer ${tokens[product]}`,
    'X-Target-Environment': 'sandbox',
    ...extra,
  });
  const self: Client = {
    url,
    apiUser,
    apiKey,
    tokens,
    headers,
    get: (product, path, extra) => call(url, 'GET', `/${product}${path}`, { headers: headers(product, extra) }),
    post: (product, path, body, extra) => call(url, 'POST', `/${product}${path}`, { headers: headers(product, extra), body }),
    async create(product, path, body, extra = {}) {
      const referenceId = randomUUID();
      const answer = await self.post(product, path, body, { 'X-Reference-Id': referenceId, ...extra });
      return { ...answer, referenceId };
    },
  };
  return self;
}

export function payment(partyId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { amount: '10', currency: 'EUR', externalId: 'order-1', payer: { partyIdType: 'MSISDN', partyId }, payerMessage: 'Pay for order', payeeNote: 'Order 1', ...extra };
}

export function transferBody(partyId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { amount: '10', currency: 'EUR', externalId: 'payout-1', payee: { partyIdType: 'MSISDN', partyId }, payerMessage: 'Payout', payeeNote: 'Your share', ...extra };
}

/** Instant approval and no rate limits (tests call faster than MoMo allows), unless `options` say otherwise. */
export async function withSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  return startSandbox({ approval: 'instant', statusReadsPerS: 0, createsPerS: 0, ...options }, { port: 0 });
}

/** Polls `check` until it returns a value (not undefined) or the time runs out. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface Received {
  method: string;
  path: string;
  body: unknown;
  headers: IncomingMessage['headers'];
  /** The caller's port: the same for requests over one kept-alive connection. */
  remotePort: number | undefined;
}

/** A real HTTP listener for callbacks; `status` decides each answer (default 200). */
export async function listener(status: (n: number) => number = () => 200): Promise<{ url: string; received: Received[]; close(): Promise<void>; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', path: req.url ?? '', body: text ? JSON.parse(text) : undefined, headers: req.headers, remotePort: req.socket.remotePort });
      res.statusCode = status(received.length);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    server,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
