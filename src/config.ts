// Every setting Sokoni reads, parsed once from the environment, validated and typed.
// `.env.example` documents each variable; keep the two in step.
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { findCurrency } from './money';
import { readMomoSettings, type MomoSettings } from './momo/settings';
import { sandboxSettingsFromEnv } from './sandbox/env';
import type { SandboxSettings } from './sandbox/settings';

// The MoMo client owns its settings; these names stay importable from here for the other rooms.
export type { MomoProduct, MomoSettings, ProductCredentials } from './momo/settings';

export interface WorkerSettings {
  concurrency: number;
  firstCheckMs: number;
  maxCheckMs: number;
  approvalWindowS: number;
  slowCheckS: number;
  stuckAfterS: number;
  /** A payment not accepted by the provider this long after checkout is never sent again. */
  paySendDeadlineS: number;
  /** How often the disbursement balance is read while payouts wait for funds. */
  fundsCheckS: number;
}

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: string | null;
  databasePath: string;
  /** DATABASE_URL (postgres://…): when set, the store is this PostgreSQL and databasePath is not used; null: SQLite. */
  databaseUrl: string | null;
  adminToken: string | null;
  callbackToken: string | null;
  corsOrigins: string[];
  sellerShareBps: number;
  accessLog: boolean;
  /** IANA time zone for receipts and reports, e.g. Africa/Kampala. */
  shopTimezone: string;
  /** How shoppers reach the shop (a phone number, an e-mail), shown when an order needs a person; null: not shown. */
  shopContact: string | null;
  /** Requests per minute per client address on POST /pay (and the order page's retry). */
  payRateLimitPerMin: number;
  /** Requests per minute per client address on /callback. */
  callbackRateLimitPerMin: number;
  /** Express's `trust proxy`: false, a hop count, or the proxies' addresses/subnets. */
  trustProxy: TrustProxy;
  /** Ask MoMo whether a seller's number is an active wallet before taking it. */
  sellerWalletCheck: boolean;
  /** Country calling code for phone numbers typed in local form ("0772 123456"); null: refused. */
  defaultCountryCode: string | null;
  /** OWNER_2FA: owners must set up a TOTP second factor before using the console. */
  owner2fa: boolean;
  /** PAYOUT_NUMBER_HOLD_H in ms: payouts to a seller's changed number wait this long unless an owner confirms it; 0: no hold. */
  payoutNumberHoldMs: number;
  /** METRICS_TOKEN: GET /metrics also answers callers that send it as a Bearer token; null: loopback only. */
  metricsToken: string | null;
  momo: MomoSettings;
  sandbox: SandboxSettings;
  worker: WorkerSettings;
  books: BooksSettings;
  refunds: RefundSettings;
}

export interface RefundSettings {
  /** REFUND_APPROVAL_THRESHOLD: per currency, the largest refund (minor units) one person may send alone; unlisted: 0, every refund needs a second person. */
  approvalThresholdMinor: ReadonlyMap<string, number>;
  /** CLAWBACK_ALERT_DAYS: a seller still owing a claw-back after this long is listed under Needs attention (0: at once). */
  clawbackAlertDays: number;
}

export interface BooksSettings {
  /** IANA time zone for the books' days, periods and exported times. */
  timezone: string;
  /** When the nightly reconciliation of yesterday runs (HH:MM in `timezone`); null: never. */
  reconcileAt: string | null;
}

export type TrustProxy = false | number | string[];

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DEFAULT_DATABASE_PATH = './data/sokoni.db';
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const flag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : null));
const list = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean));
// A connection string pg understands; anything else (a SQLite path, mysql://) is refused by name.
const postgresUrl = z
  .string()
  .refine((u) => /^postgres(ql)?:\/\/./.test(u) && URL.canParse(u), 'must be a PostgreSQL URL starting with postgres:// or postgresql://, e.g. postgres://sokoni:secret@localhost:5432/sokoni');
const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://')
  .transform((u) => u.replace(/\/+$/, ''));

// Which hops may say who the client is (X-Forwarded-For). `true` (trust every hop) is refused:
// it would let any client choose the address that rate limits and logs see.
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
function isProxyAddress(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  if (rest.length > 0) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (isIP(prefix) === family) return true; // a netmask such as 255.255.255.0
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
const trustProxy = z
  .string()
  .default('false')
  .transform((v, ctx): TrustProxy => {
    const value = v.trim().toLowerCase();
    if (value === 'false' || value === 'off') return false;
    if (/^\d{1,2}$/.test(value)) return Number(value) === 0 ? false : Number(value);
    const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
    const bad = entries.find((e) => !PROXY_NAMES.has(e) && !isProxyAddress(e));
    if (entries.length === 0 || bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `must be false, a hop count such as 1, or addresses/subnets such as loopback,10.0.0.1${bad ? ` (not ${bad})` : ''}` });
      return z.NEVER;
    }
    return entries;
  });

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: httpUrl.optional(),
  DATABASE_PATH: z.string().min(1).default(DEFAULT_DATABASE_PATH),
  DATABASE_URL: postgresUrl.optional(),
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
  SHOP_TIMEZONE: z
    .string()
    .default('UTC')
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Africa/Kampala or UTC'),
  SHOP_CONTACT: optionalText.refine((v) => v === null || v.length <= 200, 'must be at most 200 characters'),
  PAY_RATE_LIMIT_PER_MIN: int(1, 10_000_000).default(60),
  CALLBACK_RATE_LIMIT_PER_MIN: int(1, 10_000_000).default(600),
  TRUST_PROXY: trustProxy,
  SELLER_WALLET_CHECK: flag.default(true),
  DEFAULT_COUNTRY_CODE: optionalText.refine((v) => v === null || /^[1-9]\d{0,2}$/.test(v), 'must be a country calling code such as 256, without + or 00'),
  OWNER_2FA: flag.default(false),
  // Hours, with decimals (0.5 is half an hour); a tiny hold is how tests watch one end.
  PAYOUT_NUMBER_HOLD_H: z
    .string()
    .default('24')
    .refine((v) => /^\d{1,4}(\.\d{1,3})?$/.test(v) && Number(v) <= 8760, 'must be a number of hours from 0 to 8760, e.g. 24 or 0.5')
    .transform((v) => Math.round(Number(v) * 3_600_000)),
  METRICS_TOKEN: optionalText.refine((v) => v === null || v.length >= 16, 'must be at least 16 characters'),

  CHECK_CONCURRENCY: int(1, 256).default(8),
  CHECK_FIRST_MS: int(10, 60_000).default(1000),
  CHECK_MAX_MS: int(100, 600_000).default(30_000),
  APPROVAL_WINDOW_S: int(1, 86_400).default(300),
  SLOW_CHECK_S: int(1, 86_400).default(300),
  STUCK_AFTER_S: int(1, 604_800).default(900),
  PAY_SEND_DEADLINE_S: int(5, 3600).default(90),
  FUNDS_CHECK_S: int(1, 86_400).default(60),
  REFUND_APPROVAL_THRESHOLD: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const thresholds = new Map<string, number>();
      for (const entry of v.split(',').map((e) => e.trim()).filter(Boolean)) {
        const match = /^([A-Z]{3}):(\d{1,15})$/.exec(entry);
        if (!match || !findCurrency(match[1]!) || thresholds.has(match[1]!)) {
          ctx.addIssue({ code: 'custom', message: `must be CURRENCY:minor units, comma-separated, each currency once, such as EUR:5000,UGX:0 (not ${entry})` });
          return z.NEVER;
        }
        thresholds.set(match[1]!, Number(match[2]));
      }
      return thresholds;
    }),
  CLAWBACK_ALERT_DAYS: int(0, 3650).default(14),
  RECONCILE_AT: optionalText.refine((v) => v === null || /^([01]\d|2[0-3]):[0-5]\d$/.test(v), 'must be HH:MM (24-hour), or empty for off'),
});

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings in .env mean "not set", as most people read them.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  const momo = readMomoSettings(env);
  // The sandbox reads its own SANDBOX_* variables; its problems are reported with the app's. The
  // embedded sandbox keeps its state beside the store's database unless told otherwise.
  const databasePath = present.DATABASE_PATH ?? DEFAULT_DATABASE_PATH;
  const sandbox = sandboxSettingsFromEnv(present, {
    databasePath: databasePath === ':memory:' ? ':memory:' : path.join(path.dirname(databasePath), 'sandbox.db'),
  });
  if (!parsed.success || !momo.ok || 'problems' in sandbox) {
    throw new ConfigError([
      ...(parsed.success ? [] : parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message }))),
      ...(momo.ok ? [] : momo.problems),
      ...('problems' in sandbox ? sandbox.problems : []),
    ]);
  }
  const e = parsed.data;

  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL ?? null,
    databasePath: e.DATABASE_PATH,
    databaseUrl: e.DATABASE_URL ?? null,
    adminToken: e.ADMIN_TOKEN,
    callbackToken: e.CALLBACK_TOKEN,
    corsOrigins: e.CORS_ORIGINS,
    sellerShareBps: e.SELLER_SHARE_PERCENT,
    accessLog: e.ACCESS_LOG,
    shopTimezone: e.SHOP_TIMEZONE,
    shopContact: e.SHOP_CONTACT,
    payRateLimitPerMin: e.PAY_RATE_LIMIT_PER_MIN,
    callbackRateLimitPerMin: e.CALLBACK_RATE_LIMIT_PER_MIN,
    trustProxy: e.TRUST_PROXY,
    sellerWalletCheck: e.SELLER_WALLET_CHECK,
    defaultCountryCode: e.DEFAULT_COUNTRY_CODE,
    owner2fa: e.OWNER_2FA,
    payoutNumberHoldMs: e.PAYOUT_NUMBER_HOLD_H,
    metricsToken: e.METRICS_TOKEN,
    momo: momo.settings,
    sandbox: sandbox.settings,
    worker: {
      concurrency: e.CHECK_CONCURRENCY,
      firstCheckMs: e.CHECK_FIRST_MS,
      maxCheckMs: e.CHECK_MAX_MS,
      approvalWindowS: e.APPROVAL_WINDOW_S,
      slowCheckS: e.SLOW_CHECK_S,
      stuckAfterS: e.STUCK_AFTER_S,
      paySendDeadlineS: e.PAY_SEND_DEADLINE_S,
      fundsCheckS: e.FUNDS_CHECK_S,
    },
    books: { timezone: e.SHOP_TIMEZONE, reconcileAt: e.RECONCILE_AT },
    refunds: { approvalThresholdMinor: e.REFUND_APPROVAL_THRESHOLD, clawbackAlertDays: e.CLAWBACK_ALERT_DAYS },
  };
}
