// Every error shape MoMo answers with, and the client's own codes, as one MomoError.
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMomoClient, MomoError, newReferenceId } from '../../src/momo';
import {
  calls,
  clientFor,
  closedPort,
  payment,
  PAYER,
  RAW_CREDENTIALS,
  rejection,
  startHarness,
  startRawServer,
  TOKEN_ANSWER,
  totalCalls,
  type Harness,
  type RawAnswer,
} from './helpers';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());
beforeEach(() => harness.running.sandbox.control.reset());

function rawClient(url: string, maxRetries = 0) {
  return createMomoClient({ baseUrl: url, targetEnvironment: 'sandbox', credentials: RAW_CREDENTIALS, maxRetries, retryBaseDelayMs: 1, retryMaxDelayMs: 5 });
}

async function withRaw(product: RawAnswer, run: (url: string, seen: string[]) => Promise<void>) {
  const server = await startRawServer((_method, path) => (path.endsWith('/token/') ? TOKEN_ANSWER : product));
  try {
    await run(server.url, server.seen);
  } finally {
    await server.close();
  }
}

describe("MoMo's {code, message}", () => {
  it('404 RESOURCE_NOT_FOUND for an unknown reference, not retried', async () => {
    const { client } = clientFor(harness, { maxRetries: 3 });
    const id = newReferenceId();
    const error = await rejection(client.collection.getRequestToPay(id));
    expect(error).toBeInstanceOf(MomoError);
    expect(error).toMatchObject({ status: 404, code: 'RESOURCE_NOT_FOUND', operation: 'collection.getRequestToPay', referenceId: id, retryable: false });
    expect(error.message).toBe('Requested resource was not found.');
    expect(calls(harness, 'collection.getRequestToPay')).toBe(1);
  });

  it('409 RESOURCE_ALREADY_EXIST when a reference id is reused on a first attempt', async () => {
    const { client } = clientFor(harness);
    const input = payment();
    await client.collection.requestToPay(input);
    const error = await rejection(client.collection.requestToPay({ ...input, externalId: 'another order' }));
    expect(error).toMatchObject({ status: 409, code: 'RESOURCE_ALREADY_EXIST', operation: 'collection.requestToPay', referenceId: input.referenceId, retryable: false });
  });

  it('500 INVALID_CURRENCY is neither retried nor counted as an outage', async () => {
    const { client } = clientFor(harness, { maxRetries: 3, circuitThreshold: 1 });
    const error = await rejection(client.collection.requestToPay(payment({ currency: 'GHS', amountMinor: 500 })));
    expect(error).toMatchObject({ status: 500, code: 'INVALID_CURRENCY', retryable: false });
    expect(calls(harness, 'collection.requestToPay')).toBe(1);
    // With a threshold of one, an outage would have opened the circuit.
    await expect(client.collection.getBalance()).resolves.toMatchObject({ currency: 'EUR' });
  });

  it('500 NOT_ALLOWED from an account-holder check', async () => {
    const { client } = clientFor(harness);
    const error = await rejection(client.collection.getBasicUserInfo('msisdn', '46733123452'));
    expect(error).toMatchObject({ status: 500, code: 'NOT_ALLOWED', operation: 'collection.getBasicUserInfo', retryable: false });
  });

  it('503 SERVICE_UNAVAILABLE is retried up to maxRetries, then thrown as retryable', async () => {
    const { client } = clientFor(harness, { maxRetries: 2 });
    const error = await rejection(client.disbursement.isAccountHolderActive('msisdn', '46733123455'));
    expect(error).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', retryable: true });
    expect(calls(harness, 'disbursement.accountHolderActive')).toBe(3);
  });

  it('an injected 503 is SERVICE_UNAVAILABLE and retryable', async () => {
    harness.running.sandbox.control.addFault({ kind: 'error', status: 503, operation: 'remittance.getBalance', count: 1 });
    const { client } = clientFor(harness, { maxRetries: 0 });
    const error = await rejection(client.remittance.getBalance());
    expect(error).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', retryable: true });
  });
});

describe("the gateway's {statusCode, message}", () => {
  it('401 for a subscription key the gateway does not know, on the token request', async () => {
    harness.running.sandbox.control.updateSettings({ subscriptionKeys: ['the-only-key'] });
    try {
      const { client } = clientFor(harness, { maxRetries: 3 });
      const error = await rejection(client.collection.getBalance());
      expect(error).toMatchObject({ status: 401, code: 'UNAUTHORIZED', operation: 'collection.getBalance', retryable: false });
      expect(error.message).toMatch(/invalid subscription key/);
      expect(calls(harness, 'collection.token')).toBe(1);
      expect(calls(harness, 'collection.getBalance')).toBe(0);
    } finally {
      harness.running.sandbox.control.updateSettings({ subscriptionKeys: null });
    }
  });

  it('401 for provisioning with a refused key', async () => {
    harness.running.sandbox.control.updateSettings({ subscriptionKeys: ['the-only-key'] });
    try {
      const { client } = clientFor(harness);
      const error = await rejection(client.provisioning('wrong').createApiUser({ referenceId: newReferenceId(), providerCallbackHost: 'shop.example' }));
      expect(error).toMatchObject({ status: 401, code: 'UNAUTHORIZED', operation: 'provisioning.createApiUser' });
    } finally {
      harness.running.sandbox.control.updateSettings({ subscriptionKeys: null });
    }
  });
});

describe("the token endpoint's {error}", () => {
  it.each([401, 500] as const)('login_failed with status %i for a wrong API key, kept as sent and not retried', async (status) => {
    harness.running.sandbox.control.updateSettings({ tokenFailureStatus: status });
    const { client } = clientFor(harness, { maxRetries: 3, circuitThreshold: 1 });
    const wrong = clientFor(harness, { maxRetries: 3, credentials: { ...harness.credentials, collection: { ...harness.credentials.collection, apiKey: 'wrong' } } });
    const error = await rejection(wrong.client.collection.getRequestToPay(newReferenceId()));
    expect(error).toMatchObject({ status, code: 'login_failed', operation: 'collection.getRequestToPay', retryable: false });
    expect(calls(harness, 'collection.token')).toBe(1);
    await expect(client.collection.getBalance()).resolves.toMatchObject({ currency: 'EUR' });
    harness.running.sandbox.control.updateSettings({ tokenFailureStatus: 401 });
  });
});

describe('answers the sandbox never gives', () => {
  it('an empty 400 body becomes BAD_REQUEST, not retried', async () => {
    await withRaw({ status: 400 }, async (url, seen) => {
      const error = await rejection(rawClient(url, 3).collection.getBalance());
      expect(error).toMatchObject({ status: 400, code: 'BAD_REQUEST', message: 'HTTP 400', retryable: false });
      expect(seen.filter((s) => s.includes('balance'))).toHaveLength(1);
    });
  });

  it('an HTML 502 page becomes BAD_GATEWAY with an excerpt, retried', async () => {
    await withRaw({ status: 502, body: '<html><body>Bad   gateway</body></html>', headers: { 'Content-Type': 'text/html' } }, async (url, seen) => {
      const error = await rejection(rawClient(url, 2).collection.getBalance());
      expect(error).toMatchObject({ status: 502, code: 'BAD_GATEWAY', retryable: true });
      expect(error.message).toContain('Bad gateway');
      expect(seen.filter((s) => s.includes('balance'))).toHaveLength(3);
    });
  });

  it('a gateway 503 {statusCode, message} is SERVICE_UNAVAILABLE', async () => {
    await withRaw({ status: 503, body: JSON.stringify({ statusCode: 503, message: 'Service Unavailable' }) }, async (url) => {
      const error = await rejection(rawClient(url).collection.getBalance());
      expect(error).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', message: 'Service Unavailable', retryable: true });
    });
  });

  it('an unknown code is kept as it is', async () => {
    await withRaw({ status: 500, body: JSON.stringify({ code: 'SOMETHING_NEW', message: 'New failure' }) }, async (url) => {
      const error = await rejection(rawClient(url).collection.getBalance());
      expect(error).toMatchObject({ status: 500, code: 'SOMETHING_NEW', message: 'New failure' });
    });
  });

  it('a 429 is retried, honouring Retry-After', async () => {
    let n = 0;
    const server = await startRawServer((_m, path) => {
      if (path.endsWith('/token/')) return TOKEN_ANSWER;
      n += 1;
      return n < 3 ? { status: 429, headers: { 'Retry-After': '0' } } : { status: 200, body: JSON.stringify({ availableBalance: '5', currency: 'EUR' }) };
    });
    try {
      await expect(rawClient(server.url, 3).collection.getBalance()).resolves.toEqual({ availableBalance: '5', currency: 'EUR' });
      expect(n).toBe(3);
    } finally {
      await server.close();
    }
  });

  it('a status read without a known status is INVALID_RESPONSE', async () => {
    await withRaw({ status: 200, body: JSON.stringify({ status: 'MAYBE', amount: '1' }) }, async (url) => {
      const error = await rejection(rawClient(url).collection.getRequestToPay(newReferenceId()));
      expect(error).toMatchObject({ status: 200, code: 'INVALID_RESPONSE', retryable: false });
    });
  });

  it('a second 401 after renewing the token stands', async () => {
    await withRaw({ status: 401, body: JSON.stringify({ statusCode: 401, message: 'Access denied due to invalid token' }) }, async (url, seen) => {
      const error = await rejection(rawClient(url, 3).collection.getBalance());
      expect(error).toMatchObject({ status: 401, code: 'UNAUTHORIZED', retryable: false });
      expect(seen.filter((s) => s.endsWith('/token/'))).toHaveLength(2);
      expect(seen.filter((s) => s.includes('balance'))).toHaveLength(2);
    });
  });
});

describe('failures without an answer', () => {
  it('NETWORK_ERROR when nothing listens, retried, status null', async () => {
    const port = await closedPort();
    const events: string[] = [];
    const client = createMomoClient({
      baseUrl: `http://127.0.0.1:${port}`,
      targetEnvironment: 'sandbox',
      credentials: RAW_CREDENTIALS,
      maxRetries: 2,
      retryBaseDelayMs: 1,
      onRequest: (e) => events.push(e.errorCode ?? ''),
    });
    const error = await rejection(client.collection.getBalance());
    expect(error).toMatchObject({ status: null, code: 'NETWORK_ERROR', operation: 'collection.getBalance', retryable: true });
    expect(events).toEqual(['NETWORK_ERROR', 'NETWORK_ERROR', 'NETWORK_ERROR']);
  });

  it('TIMEOUT when the answer takes longer than timeoutMs', async () => {
    const { client } = clientFor(harness, { timeoutMs: 200, maxRetries: 0 });
    await client.collection.getBalance();
    harness.running.sandbox.control.addFault({ kind: 'timeout', holdMs: 2000, operation: 'collection.getRequestToPay' });
    const id = newReferenceId();
    const error = await rejection(client.collection.getRequestToPay(id));
    expect(error).toMatchObject({ status: null, code: 'TIMEOUT', referenceId: id, retryable: true });
  });

  it('a product without credentials fails with NOT_CONFIGURED and sends nothing', async () => {
    const client = createMomoClient({ baseUrl: harness.url, targetEnvironment: 'sandbox', credentials: {} });
    const error = await rejection(client.remittance.transfer({ ...payment(), payee: { partyIdType: 'MSISDN', partyId: PAYER } }));
    expect(error).toMatchObject({ code: 'NOT_CONFIGURED', status: null, operation: 'remittance.transfer' });
    expect(totalCalls(harness)).toBe(0);
  });
});

describe('secrets', () => {
  it('errors carry no keys, secrets or tokens', async () => {
    const wrong = clientFor(harness, { credentials: { collection: { ...harness.credentials.collection, apiKey: 'wrong-secret-value' } } });
    const error = await rejection(wrong.client.collection.getBalance());
    const text = `${inspect(error, { depth: 10 })} ${JSON.stringify(error)}`;
    for (const secret of ['wrong-secret-value', harness.credentials.collection.subscriptionKey, 'Basic ', 'Bearer ']) expect(text).not.toContain(secret);
  });
});
