// The system under test, as separate processes on loopback: the standalone MoMo sandbox, and
// Sokoni pointed at it with API users provisioned through the sandbox's control API. Used by
// the bench, the chaos run and the chaos test.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { BalancesView, CallsView, FaultRuleInput, SandboxSettings, SettingsPatch, TransactionView } from '../src/sandbox';
import { freePort } from './ports';
import { ROOT, spawnNode, type Child } from './procs';

/** Subscription key for both products; the sandbox accepts any unless told otherwise. */
const SUBSCRIPTION_KEY = 'sokoni-bench';

export function runDir(label: string): string {
  const base = join(ROOT, 'bench', 'out');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, `${label.replace(/[^A-Za-z0-9-]/g, '-')}-`));
}

/** The sandbox's loopback-only control API. */
export class Control {
  constructor(readonly base: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}/_control${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  provision(host: string) {
    return this.call<{ apiUser: string; apiKey: string }>('POST', '/provision', { providerCallbackHost: host });
  }
  calls = () => this.call<CallsView>('GET', '/calls');
  resetCalls = () => this.call<void>('DELETE', '/calls');
  settings = () => this.call<SandboxSettings>('GET', '/settings');
  updateSettings = (patch: SettingsPatch) => this.call<SandboxSettings>('PATCH', '/settings', patch);
  transactions = async () => (await this.call<{ transactions: TransactionView[] }>('GET', '/transactions')).transactions;
  balances = () => this.call<BalancesView>('GET', '/balances');
  addFault = (rule: FaultRuleInput) => this.call<unknown>('POST', '/faults', rule);
  clearFaults = () => this.call<void>('DELETE', '/faults');
}

export interface SandboxProcess {
  child: Child;
  url: string;
  control: Control;
}

export async function startSandboxProcess(dir: string, env: Record<string, string> = {}): Promise<SandboxProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await spawnNode({
    script: 'src/sandbox/main.ts',
    cwd: dir,
    logFile: join(dir, 'sandbox.log'),
    url,
    readyPath: '/_control/settings',
    // MoMo's rate limits are Sokoni's to respect, not the load's to meet: the bench raises
    // Sokoni's own limits, so the sandbox's are off unless a run asks for them. In memory, so
    // the sandbox's own writes do not take CPU from the processes being measured.
    env: { SANDBOX_PORT: String(port), SANDBOX_APPROVAL: 'instant', SANDBOX_STATUS_READS_PER_S: '0', SANDBOX_CREATES_PER_S: '0', SANDBOX_DATABASE_PATH: ':memory:', ...env },
  });
  return { child, url, control: new Control(url) };
}

export interface SokoniLaunch {
  /** Everything Sokoni is started with; a restart reuses it, database included. */
  env: Record<string, string>;
  url: string;
  dir: string;
  nodeArgs: string[];
}

/**
 * Sokoni's environment for the given sandbox: its own API users, a database in `dir`, and
 * PUBLIC_URL only when callbacks are wanted. `settings` override the rest (rate limits, worker).
 */
export async function sokoniLaunch(dir: string, sandbox: SandboxProcess, callbacks: boolean, settings: Record<string, string> = {}, nodeArgs: string[] = []): Promise<SokoniLaunch> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const credentials: Record<string, string> = {};
  for (const product of ['COLLECTION', 'DISBURSEMENT']) {
    const { apiUser, apiKey } = await sandbox.control.provision('127.0.0.1');
    Object.assign(credentials, {
      [`${product}_PRIMARY_KEY`]: SUBSCRIPTION_KEY,
      [`${product}_USER_ID`]: apiUser,
      [`${product}_API_SECRET`]: apiKey,
    });
  }
  return {
    dir,
    url,
    nodeArgs,
    env: {
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_PATH: join(dir, 'sokoni.db'),
      MOMO_BASE_URL: sandbox.url,
      ...credentials,
      ...(callbacks ? { PUBLIC_URL: url } : {}),
      // The storefront's per-client limits would refuse a load generator on one address.
      PAY_RATE_LIMIT_PER_MIN: '10000000',
      CALLBACK_RATE_LIMIT_PER_MIN: '10000000',
      ...settings,
    },
  };
}

export function startSokoniProcess(launch: SokoniLaunch): Promise<Child> {
  return spawnNode({
    script: 'src/main.ts',
    cwd: launch.dir,
    logFile: join(launch.dir, 'sokoni.log'),
    url: launch.url,
    readyPath: '/api/products',
    env: launch.env,
    nodeArgs: launch.nodeArgs,
  });
}
