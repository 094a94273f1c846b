// Assembles a client: one transport, two rate-limit lanes (status reads, creates) and one retry
// policy for everything, and per product its own circuit and token cache.
import { Channel, type CallChannel, type ChannelDeps } from './channel';
import { createCollections } from './collection';
import { createDisbursements } from './disbursement';
import { MomoError } from './errors';
import { createTransport } from './http';
import { createProvisioning } from './provisioning';
import { RateLimiter } from './rate-limit';
import { createRemittances } from './remittance';
import { MOMO_DEFAULTS, type MomoSettings } from './settings';
import { TokenCache } from './tokens';
import type { MomoClient, MomoClientOptions, MomoProduct, ProductHealth, Provisioning } from './types';

const DEFAULTS = {
  ...MOMO_DEFAULTS,
  maxSockets: 256,
  retryBaseDelayMs: 200,
  retryMaxDelayMs: 5_000,
};

function misconfigured(field: string, message: string): MomoError {
  return new MomoError({ status: null, code: 'VALIDATION_ERROR', message: `${field}: ${message}`, operation: 'createMomoClient', referenceId: null, retryable: false, field });
}

function setting(options: MomoClientOptions, name: keyof typeof DEFAULTS, min: number): number {
  const value = options[name] ?? DEFAULTS[name];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) throw misconfigured(name, `must be a number of at least ${min}`);
  return value;
}

/** A product's channel, and what health() reports of it. */
interface ProductChannel extends CallChannel {
  health(): ProductHealth;
}

/** Calls to a product without credentials fail after validation, with a code saying why. */
function unconfigured(product: MomoProduct): ProductChannel {
  return {
    health: () => ({ configured: false, state: 'closed', retryAt: null }),
    call: (spec) =>
      Promise.reject(
        new MomoError({
          status: null,
          code: 'NOT_CONFIGURED',
          message: `no credentials for ${product}: set ${product.toUpperCase()}_PRIMARY_KEY, _USER_ID and _API_SECRET`,
          operation: spec.operation,
          referenceId: spec.referenceId,
          retryable: false,
        }),
      ),
  };
}

export function createMomoClient(options: MomoClientOptions): MomoClient {
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch {
    throw misconfigured('baseUrl', `must be an http(s) URL, got ${JSON.stringify(options.baseUrl)}`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw misconfigured('baseUrl', 'must be an http(s) URL');
  if (typeof options.targetEnvironment !== 'string' || options.targetEnvironment === '') throw misconfigured('targetEnvironment', 'is required');

  const clock = options.clock ?? Date.now;
  const transport = createTransport({
    baseUrl: options.baseUrl,
    timeoutMs: setting(options, 'timeoutMs', 1),
    maxSockets: Math.floor(setting(options, 'maxSockets', 1)),
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
    now: Date.now,
  });
  // Pacing and cool-downs use the monotonic clock: they are about real elapsed time, and
  // must not jump when the wall clock (or a test's token clock) does.
  const monotonic = () => performance.now();
  const reads = new RateLimiter({ perSecond: setting(options, 'statusReadsPerSecond', 1), now: monotonic });
  const creates = new RateLimiter({ perSecond: setting(options, 'createsPerSecond', 1), now: monotonic });
  const deps: ChannelDeps = {
    transport,
    reads,
    creates,
    retry: {
      maxRetries: Math.floor(setting(options, 'maxRetries', 0)),
      baseDelayMs: setting(options, 'retryBaseDelayMs', 0),
      maxDelayMs: setting(options, 'retryMaxDelayMs', 0),
      random: Math.random,
    },
    circuitThreshold: setting(options, 'circuitThreshold', 1),
    circuitCooldownMs: setting(options, 'circuitCooldownMs', 0),
    now: monotonic,
    wallClock: clock,
    ...(options.onCall ? { onCall: options.onCall } : {}),
  };

  const channel = (product: MomoProduct): ProductChannel => {
    const credentials = options.credentials?.[product];
    if (!credentials) return unconfigured(product);
    const tokens = new TokenCache(product, credentials, transport, creates, clock);
    const open = new Channel(product, deps, { subscriptionKey: credentials.subscriptionKey, targetEnvironment: options.targetEnvironment, tokens });
    return { call: (spec) => open.call(spec), health: () => ({ configured: true, ...open.health() }) };
  };
  const collection = channel('collection');
  const disbursement = channel('disbursement');
  const remittance = channel('remittance');

  // One provisioning channel per subscription key, so its circuit outlives a single call.
  const provisioners = new Map<string, Provisioning>();

  return {
    collection: createCollections(collection),
    disbursement: createDisbursements(disbursement),
    remittance: createRemittances(remittance),
    health: () => ({ collection: collection.health(), disbursement: disbursement.health(), remittance: remittance.health() }),
    provisioning(subscriptionKey) {
      if (typeof subscriptionKey !== 'string' || subscriptionKey.trim() === '') throw misconfigured('subscriptionKey', 'is required');
      let provisioning = provisioners.get(subscriptionKey);
      if (!provisioning) {
        provisioning = createProvisioning(new Channel('provisioning', deps, { subscriptionKey, targetEnvironment: null, tokens: null }));
        provisioners.set(subscriptionKey, provisioning);
      }
      return provisioning;
    },
    close: () => transport.close(),
  };
}

/** The client options for Sokoni's config; `baseUrl` is passed in because the embedded sandbox's is known only once it listens. */
export function momoOptionsFromConfig(settings: MomoSettings, baseUrl: string): MomoClientOptions {
  return {
    baseUrl,
    targetEnvironment: settings.targetEnvironment,
    credentials: settings.credentials,
    timeoutMs: settings.timeoutMs,
    maxRetries: settings.maxRetries,
    statusReadsPerSecond: settings.statusReadsPerSecond,
    createsPerSecond: settings.createsPerSecond,
    circuitThreshold: settings.circuitThreshold,
    circuitCooldownMs: settings.circuitCooldownMs,
  };
}
