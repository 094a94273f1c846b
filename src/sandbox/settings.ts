// The sandbox's settings: their one set of defaults (`createSandbox()` with no options behaves like
// `npm run sandbox` with an empty environment; env.ts reads the same defaults), merged with what
// the caller gives at creation and with patches sent to the control API at run time.
import { findCurrency, parseDecimal } from '../money';

export type ApprovalMode = 'instant' | 'delay' | 'handset';
export type CallbackMethod = 'auto' | 'POST' | 'PUT';

export interface SandboxFaultSettings {
  latencyMs: number;
  errorRate: number;
  timeoutRate: number;
  lostAnswerRate: number;
  dropCallbackRate: number;
}

export interface SandboxSettings {
  port: number;
  /** Where the sandbox keeps its state (SQLite); `:memory:` forgets it when the process ends. Fixed at start. */
  databasePath: string;
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
  /** Per product, status reads (GETs of a transaction) allowed in any one second; 0 is no limit. */
  statusReadsPerS: number;
  /** Per product, creating POSTs (requesttopay, transfer, ...) allowed in any one second; 0 is no limit. */
  createsPerS: number;
  /** Opening balances in major units, as decimal strings, in each account's currency. */
  balances: { collection: string; disbursement: string; remittance: string; payer: string };
  faults: SandboxFaultSettings;
}

export const DEFAULT_SETTINGS: SandboxSettings = {
  port: 8089,
  databasePath: ':memory:',
  approval: 'handset',
  approvalDelayMs: 2000,
  approvalTimeoutS: 300,
  subscriptionKeys: null,
  callbackMethod: 'auto',
  callbackHostCheck: true,
  callbackRetries: false,
  tokenFailureStatus: 401,
  reasonShape: 'string',
  strictIdTypeCase: false,
  currencies: { sandbox: ['EUR'] },
  statusReadsPerS: 10,
  createsPerS: 50,
  balances: { collection: '0', disbursement: '1000000', remittance: '1000000', payer: '100000' },
  faults: { latencyMs: 0, errorRate: 0, timeoutRate: 0, lostAnswerRate: 0, dropCallbackRate: 0 },
};

export type SettingsPatch = Partial<Omit<SandboxSettings, 'balances' | 'faults'>> & {
  balances?: Partial<SandboxSettings['balances']>;
  faults?: Partial<SandboxSettings['faults']>;
};

export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** Returns a new, checked settings object; throws SettingsError naming the bad field. */
export function mergeSettings(base: SandboxSettings, patch: SettingsPatch): SandboxSettings {
  // A misspelt setting sent to the control API should fail loudly, not be ignored.
  // Keys are checked against the defaults' own keys, so "__proto__" or "constructor" is refused too.
  for (const key of Object.keys(patch ?? {})) if (!Object.hasOwn(DEFAULT_SETTINGS, key)) throw new SettingsError(`${key}: no such setting`);
  for (const group of ['balances', 'faults'] as const) {
    for (const key of Object.keys(patch[group] ?? {})) {
      if (!Object.hasOwn(DEFAULT_SETTINGS[group], key)) throw new SettingsError(`${group}.${key}: no such setting`);
    }
  }
  const merged: SandboxSettings = {
    ...base,
    ...patch,
    balances: { ...base.balances, ...patch.balances },
    faults: { ...base.faults, ...patch.faults },
  };
  // Environment names are outside input: kept in a null-prototype object, looked up with hasOwn.
  if (patch.currencies !== undefined) merged.currencies = Object.assign(Object.create(null) as Record<string, string[]>, patch.currencies);
  check(merged);
  return merged;
}

function check(s: SandboxSettings): void {
  const fail = (field: string, message: string): never => {
    throw new SettingsError(`${field}: ${message}`);
  };
  if (typeof s.databasePath !== 'string' || s.databasePath === '') fail('databasePath', 'must be a file path or :memory:');
  if (!['instant', 'delay', 'handset'].includes(s.approval)) fail('approval', 'must be instant, delay or handset');
  if (!['auto', 'POST', 'PUT'].includes(s.callbackMethod)) fail('callbackMethod', 'must be auto, POST or PUT');
  if (s.tokenFailureStatus !== 401 && s.tokenFailureStatus !== 500) fail('tokenFailureStatus', 'must be 401 or 500');
  if (s.reasonShape !== 'string' && s.reasonShape !== 'object') fail('reasonShape', 'must be string or object');
  if (!Number.isInteger(s.approvalDelayMs) || s.approvalDelayMs < 0) fail('approvalDelayMs', 'must be a non-negative integer');
  if (!Number.isInteger(s.approvalTimeoutS) || s.approvalTimeoutS < 1) fail('approvalTimeoutS', 'must be a positive integer');
  for (const name of ['statusReadsPerS', 'createsPerS'] as const) {
    if (!Number.isInteger(s[name]) || s[name] < 0 || s[name] > 1_000_000) fail(name, 'must be an integer from 0 (no limit) to 1000000');
  }
  if (s.subscriptionKeys !== null && (!Array.isArray(s.subscriptionKeys) || s.subscriptionKeys.some((k) => typeof k !== 'string' || !k))) {
    fail('subscriptionKeys', 'must be null or a list of non-empty strings');
  }
  const envs = Object.entries(s.currencies ?? {});
  if (envs.length === 0) fail('currencies', 'must name at least one target environment');
  for (const [env, codes] of envs) {
    if (!Array.isArray(codes) || codes.length === 0) fail(`currencies.${env}`, 'must list at least one currency');
    // Wallets keep integer minor units, so every currency needs a known exponent.
    for (const code of codes) if (!findCurrency(code)) fail(`currencies.${env}`, `${code} is not a currency src/money knows`);
  }
  for (const [name, value] of Object.entries(s.balances)) {
    if (typeof value !== 'string' || !/^\d+(\.\d+)?$/.test(value)) fail(`balances.${name}`, 'must be a decimal string such as 1000 or 12.50');
    for (const codes of Object.values(s.currencies)) for (const code of codes) {
      try {
        parseDecimal(value, code);
      } catch (e) {
        fail(`balances.${name}`, (e as Error).message);
      }
    }
  }
  for (const [name, value] of Object.entries(s.faults)) {
    const ok = name === 'latencyMs' ? Number.isInteger(value) && value >= 0 : typeof value === 'number' && value >= 0 && value <= 1;
    if (!ok) fail(`faults.${name}`, name === 'latencyMs' ? 'must be a non-negative integer' : 'must be a probability from 0 to 1');
  }
}
