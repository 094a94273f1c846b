// Every setting Sokoni reads, parsed once from the environment, validated and typed.
// `.env.example` documents each variable; keep the two in step.
import { z } from 'zod';

export type ApprovalMode = 'instant' | 'delay' | 'handset';
export type CallbackMethod = 'auto' | 'POST' | 'PUT';

export interface ProductCredentials {
  subscriptionKey: string;
  apiUser: string;
  apiKey: string;
}

export type MomoProduct = 'collection' | 'disbursement' | 'remittance';

export interface MomoSettings {
  /** `embedded`: the sandbox mounted in this process at /sandbox, credentials provisioned at start. */
  mode: 'embedded' | 'remote';
  /** Only for `remote`; the embedded base URL is known once the server listens. */
  baseUrl: string | null;
  targetEnvironment: string;
  credentials: Partial<Record<MomoProduct, ProductCredentials>>;
  timeoutMs: number;
  maxRetries: number;
  rateLimitPerSecond: number;
  circuitThreshold: number;
  circuitCooldownMs: number;
}

export interface SandboxFaultSettings {
  latencyMs: number;
  errorRate: number;
  timeoutRate: number;
  lostAnswerRate: number;
  dropCallbackRate: number;
}

export interface SandboxSettings {
  port: number;
  approval: ApprovalMode;
  approvalDelayMs: number;
  approvalTimeoutS: number;
  /** null: any non-empty subscription key is accepted. */
  subscriptionKeys: string[] | null;
  callbackMethod: CallbackMethod;
  callbackHostCheck: boolean;
  callbackRetries: boolean;
  tokenFailureStatus: 401 | 500;
  reasonShape: 'string' | 'object';
  strictIdTypeCase: boolean;
  /** Target environment → currencies it accepts. */
  currencies: Record<string, string[]>;
  /** Opening balances in major units, as decimal strings, in each account's currency. */
  balances: { collection: string; disbursement: string; remittance: string; payer: string };
  faults: SandboxFaultSettings;
}

export interface WorkerSettings {
  concurrency: number;
  firstCheckMs: number;
  maxCheckMs: number;
  approvalWindowS: number;
  slowCheckS: number;
  stuckAfterS: number;
}

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: string | null;
  databasePath: string;
  adminToken: string | null;
  callbackToken: string | null;
  corsOrigins: string[];
  sellerShareBps: number;
  accessLog: boolean;
  /** Requests per minute per client address on POST /pay (and the order page's retry). */
  payRateLimitPerMin: number;
  /** Requests per minute per client address on /callback. */
  callbackRateLimitPerMin: number;
  momo: MomoSettings;
  sandbox: SandboxSettings;
  worker: WorkerSettings;
  books: BooksSettings;
}

export interface BooksSettings {
  /** IANA time zone for the books' days, periods and exported times. */
  timezone: string;
  /** When the nightly reconciliation of yesterday runs (HH:MM in `timezone`); null: never. */
  reconcileAt: string | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const rate = z.coerce.number().min(0).max(1);
const flag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : null));
const list = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i, 'must be a UUID v4');
const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'must be a non-negative decimal number such as 1000 or 12.50');
const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://')
  .transform((u) => u.replace(/\/+$/, ''));

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: httpUrl.optional(),
  DATABASE_PATH: z.string().min(1).default('./data/sokoni.db'),
  ADMIN_TOKEN: optionalText.refine((v) => v === null || v.length >= 16, 'must be at least 16 characters'),
  CALLBACK_TOKEN: optionalText.refine((v) => v === null || /^[A-Za-z0-9_-]{16,}$/.test(v), 'must be 16+ URL-safe characters'),
  CORS_ORIGINS: list,
  SELLER_SHARE_PERCENT: z
    .string()
    .default('80')
    .refine((v) => /^\d{1,3}(\.\d{1,2})?$/.test(v) && Number(v) <= 100, 'must be a percentage from 0 to 100 with at most 2 decimals')
    .transform((v) => {
      const [whole = '0', frac = ''] = v.split('.');
      return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
    }),
  ACCESS_LOG: flag.default(true),
  PAY_RATE_LIMIT_PER_MIN: int(1, 10_000_000).default(60),
  CALLBACK_RATE_LIMIT_PER_MIN: int(1, 10_000_000).default(600),

  MOMO_BASE_URL: z.union([z.literal('embedded'), httpUrl]).default('embedded'),
  MOMO_TARGET_ENVIRONMENT: z.string().regex(/^(sandbox|mtn[a-z]+)$/, 'must be sandbox or mtn<country>').default('sandbox'),
  COLLECTION_PRIMARY_KEY: optionalText,
  COLLECTION_USER_ID: optionalText.pipe(uuid.nullable()),
  COLLECTION_API_SECRET: optionalText,
  DISBURSEMENT_PRIMARY_KEY: optionalText,
  DISBURSEMENT_USER_ID: optionalText.pipe(uuid.nullable()),
  DISBURSEMENT_API_SECRET: optionalText,
  REMITTANCE_PRIMARY_KEY: optionalText,
  REMITTANCE_USER_ID: optionalText.pipe(uuid.nullable()),
  REMITTANCE_API_SECRET: optionalText,
  MOMO_TIMEOUT_MS: int(100, 120_000).default(10_000),
  MOMO_MAX_RETRIES: int(0, 10).default(3),
  MOMO_RATE_LIMIT_PER_S: int(1, 100_000).default(10),
  MOMO_CIRCUIT_THRESHOLD: int(1, 1000).default(5),
  MOMO_CIRCUIT_COOLDOWN_MS: int(100, 600_000).default(10_000),

  SANDBOX_PORT: int(0, 65535).default(8089),
  SANDBOX_APPROVAL: z.enum(['instant', 'delay', 'handset']).default('handset'),
  SANDBOX_APPROVAL_DELAY_MS: int(0, 600_000).default(2000),
  SANDBOX_APPROVAL_TIMEOUT_S: int(1, 86_400).default(300),
  SANDBOX_SUBSCRIPTION_KEYS: list.transform((keys) => (keys.length ? keys : null)),
  SANDBOX_CALLBACK_METHOD: z.enum(['auto', 'POST', 'PUT']).default('auto'),
  SANDBOX_CALLBACK_HOST_CHECK: flag.default(true),
  SANDBOX_CALLBACK_RETRIES: flag.default(false),
  SANDBOX_TOKEN_FAILURE_STATUS: z.enum(['401', '500']).default('401').transform((v) => Number(v) as 401 | 500),
  SANDBOX_REASON_SHAPE: z.enum(['string', 'object']).default('string'),
  SANDBOX_STRICT_ID_TYPE_CASE: flag.default(false),
  SANDBOX_CURRENCIES: z
    .string()
    .default('sandbox=EUR')
    .refine((v) => /^([a-z]+=[A-Z]{3}(\|[A-Z]{3})*)(;[a-z]+=[A-Z]{3}(\|[A-Z]{3})*)*$/.test(v), 'must look like sandbox=EUR;mtnuganda=UGX')
    .transform((v) =>
      Object.fromEntries(v.split(';').map((pair) => {
        const [envName, codes] = pair.split('=') as [string, string];
        return [envName, codes.split('|')];
      })),
    ),
  SANDBOX_COLLECTION_BALANCE: decimal.default('0'),
  SANDBOX_DISBURSEMENT_BALANCE: decimal.default('1000000'),
  SANDBOX_REMITTANCE_BALANCE: decimal.default('1000000'),
  SANDBOX_PAYER_BALANCE: decimal.default('100000'),
  SANDBOX_FAULT_LATENCY_MS: int(0, 60_000).default(0),
  SANDBOX_FAULT_ERROR_RATE: rate.default(0),
  SANDBOX_FAULT_TIMEOUT_RATE: rate.default(0),
  SANDBOX_FAULT_LOST_ANSWER_RATE: rate.default(0),
  SANDBOX_FAULT_DROP_CALLBACK_RATE: rate.default(0),

  CHECK_CONCURRENCY: int(1, 256).default(8),
  CHECK_FIRST_MS: int(10, 60_000).default(1000),
  CHECK_MAX_MS: int(100, 600_000).default(30_000),
  APPROVAL_WINDOW_S: int(1, 86_400).default(300),
  SLOW_CHECK_S: int(1, 86_400).default(300),
  STUCK_AFTER_S: int(1, 604_800).default(900),

  SHOP_TIMEZONE: z.string().default('UTC').refine(isTimeZone, 'must be an IANA time zone such as UTC or Africa/Kampala'),
  RECONCILE_AT: optionalText.refine((v) => v === null || /^([01]\d|2[0-3]):[0-5]\d$/.test(v), 'must be HH:MM (24-hour), or empty for off'),
});

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const PRODUCTS: MomoProduct[] = ['collection', 'disbursement', 'remittance'];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings in .env mean "not set", as most people read them.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message })));
  }
  const e = parsed.data;

  const credentials: MomoSettings['credentials'] = {};
  const problems: { variable: string; message: string }[] = [];
  for (const product of PRODUCTS) {
    const prefix = product.toUpperCase() as Uppercase<MomoProduct>;
    const key = e[`${prefix}_PRIMARY_KEY`];
    const user = e[`${prefix}_USER_ID`];
    const secret = e[`${prefix}_API_SECRET`];
    const given = [key, user, secret].filter((v) => v !== null).length;
    if (given === 3) credentials[product] = { subscriptionKey: key!, apiUser: user!, apiKey: secret! };
    else if (given > 0) {
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
  if (problems.length) throw new ConfigError(problems);

  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL ?? null,
    databasePath: e.DATABASE_PATH,
    adminToken: e.ADMIN_TOKEN,
    callbackToken: e.CALLBACK_TOKEN,
    corsOrigins: e.CORS_ORIGINS,
    sellerShareBps: e.SELLER_SHARE_PERCENT,
    accessLog: e.ACCESS_LOG,
    payRateLimitPerMin: e.PAY_RATE_LIMIT_PER_MIN,
    callbackRateLimitPerMin: e.CALLBACK_RATE_LIMIT_PER_MIN,
    momo: {
      mode,
      baseUrl: mode === 'remote' ? e.MOMO_BASE_URL : null,
      targetEnvironment: e.MOMO_TARGET_ENVIRONMENT,
      credentials,
      timeoutMs: e.MOMO_TIMEOUT_MS,
      maxRetries: e.MOMO_MAX_RETRIES,
      rateLimitPerSecond: e.MOMO_RATE_LIMIT_PER_S,
      circuitThreshold: e.MOMO_CIRCUIT_THRESHOLD,
      circuitCooldownMs: e.MOMO_CIRCUIT_COOLDOWN_MS,
    },
    sandbox: {
      port: e.SANDBOX_PORT,
      approval: e.SANDBOX_APPROVAL,
      approvalDelayMs: e.SANDBOX_APPROVAL_DELAY_MS,
      approvalTimeoutS: e.SANDBOX_APPROVAL_TIMEOUT_S,
      subscriptionKeys: e.SANDBOX_SUBSCRIPTION_KEYS,
      callbackMethod: e.SANDBOX_CALLBACK_METHOD,
      callbackHostCheck: e.SANDBOX_CALLBACK_HOST_CHECK,
      callbackRetries: e.SANDBOX_CALLBACK_RETRIES,
      tokenFailureStatus: e.SANDBOX_TOKEN_FAILURE_STATUS,
      reasonShape: e.SANDBOX_REASON_SHAPE,
      strictIdTypeCase: e.SANDBOX_STRICT_ID_TYPE_CASE,
      currencies: e.SANDBOX_CURRENCIES,
      balances: {
        collection: e.SANDBOX_COLLECTION_BALANCE,
        disbursement: e.SANDBOX_DISBURSEMENT_BALANCE,
        remittance: e.SANDBOX_REMITTANCE_BALANCE,
        payer: e.SANDBOX_PAYER_BALANCE,
      },
      faults: {
        latencyMs: e.SANDBOX_FAULT_LATENCY_MS,
        errorRate: e.SANDBOX_FAULT_ERROR_RATE,
        timeoutRate: e.SANDBOX_FAULT_TIMEOUT_RATE,
        lostAnswerRate: e.SANDBOX_FAULT_LOST_ANSWER_RATE,
        dropCallbackRate: e.SANDBOX_FAULT_DROP_CALLBACK_RATE,
      },
    },
    worker: {
      concurrency: e.CHECK_CONCURRENCY,
      firstCheckMs: e.CHECK_FIRST_MS,
      maxCheckMs: e.CHECK_MAX_MS,
      approvalWindowS: e.APPROVAL_WINDOW_S,
      slowCheckS: e.SLOW_CHECK_S,
      stuckAfterS: e.STUCK_AFTER_S,
    },
    books: { timezone: e.SHOP_TIMEZONE, reconcileAt: e.RECONCILE_AT },
  };
}
