// The client's own settings: the MOMO_* variables and each product's credentials, parsed from
// the environment in one place, with their defaults. The app's config composes this; the client
// never reads the app's config. Every refusal names the variable and the form it wants.
import { z } from 'zod';

export type MomoProduct = 'collection' | 'disbursement' | 'remittance';

export const MOMO_PRODUCTS: readonly MomoProduct[] = ['collection', 'disbursement', 'remittance'];

export interface ProductCredentials {
  subscriptionKey: string;
  apiUser: string;
  apiKey: string;
}

export interface MomoSettings {
  /** `embedded`: the sandbox mounted in this process at /sandbox, credentials provisioned at start. */
  mode: 'embedded' | 'remote';
  /** Only for `remote`; the embedded base URL is known once the server listens. */
  baseUrl: string | null;
  targetEnvironment: string;
  credentials: Partial<Record<MomoProduct, ProductCredentials>>;
  timeoutMs: number;
  maxRetries: number;
  /** Status reads and other reads (balance, account holders) per second per product. */
  statusReadsPerSecond: number;
  /** Transaction-creating POSTs (and token requests) per second per product. */
  createsPerSecond: number;
  circuitThreshold: number;
  circuitCooldownMs: number;
}

export interface SettingProblem {
  variable: string;
  message: string;
}

export type MomoSettingsResult = { ok: true; settings: MomoSettings } | { ok: false; problems: SettingProblem[] };

/** Defaults shared by the environment and by createMomoClient's options. */
export const MOMO_DEFAULTS = {
  timeoutMs: 10_000,
  maxRetries: 3,
  // MoMo allows about 10 status reads per second (momo-api.md §9).
  statusReadsPerSecond: 10,
  // MoMo publishes no limit for creates; 50/s leaves room for bursts of orders and payouts.
  createsPerSecond: 50,
  circuitThreshold: 5,
  circuitCooldownMs: 10_000,
} as const;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const wholeNumber = (min: number, max: number, unit: string, fallback: number) =>
  z
    .string()
    .trim()
    .refine((v) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max, `must be a whole number of ${unit} from ${min} to ${max}`)
    .transform(Number)
    .default(fallback);

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : null));

const apiUserId = optionalText.refine(
  (v) => v === null || UUID_V4.test(v),
  'must be the API user id, a UUID v4 such as 6f0a5d0e-3b1c-4d2e-9f3a-1b2c3d4e5f60 (npm run momo:provision prints it)',
);

const schema = z.object({
  MOMO_BASE_URL: z
    .string()
    .trim()
    .refine((v) => v === 'embedded' || isHttpUrl(v), 'must be "embedded" or an http(s) URL such as https://sandbox.momodeveloper.mtn.com')
    .transform((v) => v.replace(/\/+$/, ''))
    .default('embedded'),
  MOMO_TARGET_ENVIRONMENT: z
    .string()
    .trim()
    .refine((v) => /^(sandbox|mtn[a-z]+)$/.test(v), 'must be sandbox, or mtn<country> in production such as mtnuganda')
    .default('sandbox'),
  COLLECTION_PRIMARY_KEY: optionalText,
  COLLECTION_USER_ID: apiUserId,
  COLLECTION_API_SECRET: optionalText,
  DISBURSEMENT_PRIMARY_KEY: optionalText,
  DISBURSEMENT_USER_ID: apiUserId,
  DISBURSEMENT_API_SECRET: optionalText,
  REMITTANCE_PRIMARY_KEY: optionalText,
  REMITTANCE_USER_ID: apiUserId,
  REMITTANCE_API_SECRET: optionalText,
  MOMO_TIMEOUT_MS: wholeNumber(100, 120_000, 'milliseconds', MOMO_DEFAULTS.timeoutMs),
  MOMO_MAX_RETRIES: wholeNumber(0, 10, 'retries', MOMO_DEFAULTS.maxRetries),
  MOMO_STATUS_READS_PER_S: wholeNumber(1, 100_000, 'requests per second', MOMO_DEFAULTS.statusReadsPerSecond),
  MOMO_CREATES_PER_S: wholeNumber(1, 100_000, 'requests per second', MOMO_DEFAULTS.createsPerSecond),
  MOMO_CIRCUIT_THRESHOLD: wholeNumber(1, 1000, 'consecutive failures', MOMO_DEFAULTS.circuitThreshold),
  MOMO_CIRCUIT_COOLDOWN_MS: wholeNumber(100, 600_000, 'milliseconds', MOMO_DEFAULTS.circuitCooldownMs),
});

/** Every variable this module reads, for documentation checks. */
export const MOMO_VARIABLES: readonly string[] = Object.keys(schema.shape);

// Settings that no longer exist but may linger in someone's .env: ignoring them would quietly
// change how Sokoni behaves, so they are refused with what replaced them.
const REMOVED = new Map<string, string>([
  ['MOMO_RATE_LIMIT_PER_S', 'no longer exists: set MOMO_STATUS_READS_PER_S (default 10) and MOMO_CREATES_PER_S (default 50) instead'],
]);

/** Reads the MoMo settings from `env`; an empty value means "not set". */
export function readMomoSettings(env: Readonly<Record<string, string | undefined>>): MomoSettingsResult {
  const present = Object.create(null) as Record<string, string>;
  for (const name of MOMO_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value !== '') present[name] = value;
  }
  const problems: SettingProblem[] = [];
  for (const [name, message] of REMOVED) {
    const value = env[name];
    if (value !== undefined && value !== '') problems.push({ variable: name, message });
  }
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message })));
    return { ok: false, problems };
  }
  const e = parsed.data;

  const credentials: MomoSettings['credentials'] = {};
  for (const product of MOMO_PRODUCTS) {
    const prefix = product.toUpperCase() as Uppercase<MomoProduct>;
    const key = e[`${prefix}_PRIMARY_KEY`];
    const user = e[`${prefix}_USER_ID`];
    const secret = e[`${prefix}_API_SECRET`];
    if (key !== null && user !== null && secret !== null) credentials[product] = { subscriptionKey: key, apiUser: user, apiKey: secret };
    else if (key !== null || user !== null || secret !== null) {
      problems.push({ variable: `${prefix}_*`, message: `set all of ${prefix}_PRIMARY_KEY, ${prefix}_USER_ID and ${prefix}_API_SECRET, or none` });
    }
  }
  const mode = e.MOMO_BASE_URL === 'embedded' ? 'embedded' : 'remote';
  if (mode === 'remote') {
    for (const product of ['collection', 'disbursement'] as const) {
      if (!credentials[product]) {
        problems.push({ variable: `${product.toUpperCase()}_PRIMARY_KEY`, message: `required when MOMO_BASE_URL points at a real MoMo (run npm run momo:provision)` });
      }
    }
  }
  if (problems.length) return { ok: false, problems };

  return {
    ok: true,
    settings: {
      mode,
      baseUrl: mode === 'remote' ? e.MOMO_BASE_URL : null,
      targetEnvironment: e.MOMO_TARGET_ENVIRONMENT,
      credentials,
      timeoutMs: e.MOMO_TIMEOUT_MS,
      maxRetries: e.MOMO_MAX_RETRIES,
      statusReadsPerSecond: e.MOMO_STATUS_READS_PER_S,
      createsPerSecond: e.MOMO_CREATES_PER_S,
      circuitThreshold: e.MOMO_CIRCUIT_THRESHOLD,
      circuitCooldownMs: e.MOMO_CIRCUIT_COOLDOWN_MS,
    },
  };
}
