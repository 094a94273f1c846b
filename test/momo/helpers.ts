// Shared set-up for the client tests: a sandbox on a real port, credentials provisioned over
// HTTP by the client itself, and a client that records every exchange it reports.
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox';
import { createMomoClient, MomoError, newReferenceId, type MomoClient, type MomoClientOptions, type MomoProduct, type MomoRequestEvent, type ProductCredentials } from '../../src/momo';

export const PAYER = '256772123456';
export const SUBSCRIPTION_KEY = 'test-subscription-key';

export interface Harness {
  running: RunningSandbox;
  url: string;
  credentials: Record<MomoProduct, ProductCredentials>;
  close(): Promise<void>;
}

export async function startHarness(options: SandboxOptions = {}): Promise<Harness> {
  // The sandbox's own MoMo limits off: these tests measure the client's limiter against what the
  // sandbox saw, and a 429 retried would add calls of its own.
  const running = await startSandbox({ approval: 'instant', statusReadsPerS: 0, createsPerS: 0, ...options }, { port: 0 });
  const provisioner = createMomoClient({ baseUrl: running.url, targetEnvironment: 'sandbox', credentials: {} }).provisioning(SUBSCRIPTION_KEY);
  const credentials = {} as Record<MomoProduct, ProductCredentials>;
  for (const product of ['collection', 'disbursement', 'remittance'] as const) {
    const apiUser = await provisioner.createApiUser({ referenceId: newReferenceId(), providerCallbackHost: 'shop.example' });
    credentials[product] = { subscriptionKey: `${SUBSCRIPTION_KEY}-${product}`, apiUser, apiKey: await provisioner.createApiKey(apiUser) };
  }
  // Counts start from zero for each test's own calls.
  running.sandbox.control.resetCalls();
  return { running, url: running.url, credentials, close: () => running.close() };
}

export interface RecordingClient {
  client: MomoClient;
  events: MomoRequestEvent[];
}

export function clientFor(harness: Harness, overrides: Partial<MomoClientOptions> = {}): RecordingClient {
  const events: MomoRequestEvent[] = [];
  const client = createMomoClient({
    baseUrl: harness.url,
    targetEnvironment: 'sandbox',
    credentials: harness.credentials,
    timeoutMs: 2000,
    retryBaseDelayMs: 5,
    retryMaxDelayMs: 20,
    statusReadsPerSecond: 1000,
    createsPerSecond: 1000,
    onRequest: (event) => events.push(event),
    ...overrides,
  });
  return { client, events };
}

/** Calls the sandbox saw for one operation (e.g. `collection.token`). */
export function calls(harness: Harness, operation: string): number {
  return harness.running.sandbox.control.calls().byOperation[operation] ?? 0;
}

export function totalCalls(harness: Harness): number {
  return harness.running.sandbox.control.calls().total;
}

/** Statuses the sandbox answered one operation with, e.g. {"202": 1, "409": 1}. */
export function statuses(harness: Harness, operation: string): Record<string, number> {
  return Object.values(harness.running.sandbox.control.calls().byEndpoint).find((e) => e.operation === operation)?.statuses ?? {};
}

export function payment(overrides: Record<string, unknown> = {}) {
  return {
    referenceId: newReferenceId(),
    amountMinor: 1250,
    currency: 'EUR',
    externalId: 'order-1',
    payer: { partyIdType: 'MSISDN' as const, partyId: PAYER },
    payerMessage: 'Sokoni order',
    payeeNote: 'Order 1',
    ...overrides,
  };
}

export function payout(overrides: Record<string, unknown> = {}) {
  return {
    referenceId: newReferenceId(),
    amountMinor: 1000,
    currency: 'EUR',
    externalId: 'payout-1',
    payee: { partyIdType: 'MSISDN' as const, partyId: '256772000111' },
    payerMessage: 'Sokoni payout',
    payeeNote: 'Your share',
    ...overrides,
  };
}

/** Resolves with the MomoError `promise` rejects with, failing the test otherwise. */
export async function rejection(promise: Promise<unknown>): Promise<MomoError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MomoError) return error;
    throw error;
  }
  throw new Error('expected a rejection, but the call succeeded');
}

export interface RawAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Answer this long after the request arrived. */
  delayMs?: number;
}

export interface Arrival {
  method: string;
  path: string;
  /** performance.now() when the request arrived, before its body was read. */
  at: number;
  /** The client's port: one per connection, so reused connections share it. */
  clientPort: number;
  /** performance.now() when the answer was sent; null until then. */
  answeredAt: number | null;
}

/**
 * A bare HTTP server for answers the sandbox never gives (empty bodies, HTML pages, codes
 * nobody has seen): `answer` is asked for each request, by method and path.
 */
export async function startRawServer(
  answer: (method: string, path: string) => RawAnswer,
): Promise<{ url: string; seen: string[]; arrivals: Arrival[]; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const seen: string[] = [];
  const arrivals: Arrival[] = [];
  const server = createServer((req, res) => {
    const arrival: Arrival = { method: req.method ?? 'GET', path: req.url ?? '/', at: performance.now(), clientPort: req.socket.remotePort ?? 0, answeredAt: null };
    arrivals.push(arrival);
    req.resume();
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      const reply = answer(req.method ?? 'GET', req.url ?? '/');
      const send = () => {
        arrival.answeredAt = performance.now();
        res.writeHead(reply.status, reply.headers ?? (reply.body ? { 'Content-Type': 'application/json' } : {}));
        res.end(reply.body ?? '');
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export const TOKEN_ANSWER: RawAnswer = { status: 200, body: JSON.stringify({ access_token: 'raw-token', token_type: 'access_token', expires_in: 3600 }) };

/** A port nothing listens on, for connection failures. */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const RAW_CREDENTIALS = {
  collection: { subscriptionKey: 'raw-key', apiUser: '6f0a5d0e-3b1c-4d2e-9f3a-1b2c3d4e5f60', apiKey: 'raw-secret' },
};
