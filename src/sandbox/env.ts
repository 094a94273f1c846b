// The sandbox's `SANDBOX_*` environment variables, parsed with the defaults of settings.ts. Used
// by `npm run sandbox` alone and composed into Sokoni's configuration by src/config.ts, so the
// sandbox's settings are defined here once and the app only passes the environment through.
import { z } from 'zod';
import { DEFAULT_SETTINGS, type SandboxSettings } from './settings';

export interface EnvProblem {
  variable: string;
  message: string;
}

const d = DEFAULT_SETTINGS;

/** Where `npm run sandbox` keeps its state unless told; code that creates a sandbox gets `:memory:`. */
export const STANDALONE_DATABASE_PATH = './data/sandbox.db';
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const rate = z.coerce.number().min(0).max(1);
const flag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));
const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'must be a non-negative decimal number such as 1000 or 12.50');

const schema = z.object({
  SANDBOX_PORT: int(0, 65535).default(d.port),
  SANDBOX_DATABASE_PATH: z.string().optional(),
  SANDBOX_APPROVAL: z.enum(['instant', 'delay', 'handset']).default(d.approval),
  SANDBOX_APPROVAL_DELAY_MS: int(0, 600_000).default(d.approvalDelayMs),
  SANDBOX_APPROVAL_TIMEOUT_S: int(1, 86_400).default(d.approvalTimeoutS),
  SANDBOX_SUBSCRIPTION_KEYS: z
    .string()
    .optional()
    .transform((v) => {
      const keys = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      return keys.length ? keys : d.subscriptionKeys;
    }),
  SANDBOX_CALLBACK_METHOD: z.enum(['auto', 'POST', 'PUT']).default(d.callbackMethod),
  SANDBOX_CALLBACK_HOST_CHECK: flag.default(d.callbackHostCheck),
  SANDBOX_CALLBACK_RETRIES: flag.default(d.callbackRetries),
  SANDBOX_TOKEN_FAILURE_STATUS: z
    .enum(['401', '500'])
    .default(String(d.tokenFailureStatus) as '401' | '500')
    .transform((v) => Number(v) as 401 | 500),
  SANDBOX_REASON_SHAPE: z.enum(['string', 'object']).default(d.reasonShape),
  SANDBOX_STRICT_ID_TYPE_CASE: flag.default(d.strictIdTypeCase),
  SANDBOX_CURRENCIES: z
    .string()
    .optional()
    .refine((v) => v === undefined || /^([a-z]+=[A-Z]{3}(\|[A-Z]{3})*)(;[a-z]+=[A-Z]{3}(\|[A-Z]{3})*)*$/.test(v), 'must look like sandbox=EUR;mtnuganda=UGX')
    .transform((v) => {
      if (v === undefined) return d.currencies;
      // Environment names are outside input: a null-prototype object, so "__proto__" stays a name.
      const currencies = Object.create(null) as Record<string, string[]>;
      for (const pair of v.split(';')) {
        const [envName, codes] = pair.split('=') as [string, string];
        currencies[envName] = codes.split('|');
      }
      return currencies;
    }),
  SANDBOX_STATUS_READS_PER_S: int(0, 1_000_000).default(d.statusReadsPerS),
  SANDBOX_CREATES_PER_S: int(0, 1_000_000).default(d.createsPerS),
  SANDBOX_COLLECTION_BALANCE: decimal.default(d.balances.collection),
  SANDBOX_DISBURSEMENT_BALANCE: decimal.default(d.balances.disbursement),
  SANDBOX_REMITTANCE_BALANCE: decimal.default(d.balances.remittance),
  SANDBOX_PAYER_BALANCE: decimal.default(d.balances.payer),
  SANDBOX_FAULT_LATENCY_MS: int(0, 60_000).default(d.faults.latencyMs),
  SANDBOX_FAULT_ERROR_RATE: rate.default(d.faults.errorRate),
  SANDBOX_FAULT_TIMEOUT_RATE: rate.default(d.faults.timeoutRate),
  SANDBOX_FAULT_LOST_ANSWER_RATE: rate.default(d.faults.lostAnswerRate),
  SANDBOX_FAULT_DROP_CALLBACK_RATE: rate.default(d.faults.dropCallbackRate),
});

/**
 * The sandbox's settings from `env`, or every problem found, each naming its variable. Empty
 * strings mean "not set", as most people read them in a .env file. `defaults.databasePath` is
 * used when SANDBOX_DATABASE_PATH is not set (Sokoni puts the embedded sandbox's beside its own).
 */
export function sandboxSettingsFromEnv(
  env: Record<string, string | undefined>,
  defaults: { databasePath?: string } = {},
): { settings: SandboxSettings } | { problems: EnvProblem[] } {
  const present = Object.create(null) as Record<string, string>;
  for (const name of Object.keys(schema.shape)) {
    const value = Object.hasOwn(env, name) ? env[name] : undefined;
    if (value !== undefined && value !== '') present[name] = value;
  }
  const parsed = schema.safeParse(present);
  if (!parsed.success) return { problems: parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message })) };
  const e = parsed.data;
  return {
    settings: {
      port: e.SANDBOX_PORT,
      databasePath: e.SANDBOX_DATABASE_PATH ?? defaults.databasePath ?? STANDALONE_DATABASE_PATH,
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
      statusReadsPerS: e.SANDBOX_STATUS_READS_PER_S,
      createsPerS: e.SANDBOX_CREATES_PER_S,
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
  };
}
