// The system under test, as separate processes on loopback: the standalone MoMo sandbox, and
// Sokoni pointed at it with API users provisioned through the sandbox's control API: one
// instance, or several on one database behind the round-robin proxy (fleet.ts). Used by the
// bench, the chaos run and the chaos test.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { BalancesView, CallsView, FaultRuleInput, SandboxSettings, SettingsPatch, TransactionView } from '../src/sandbox';
import type { RunDatabase } from './database';
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
  /** Everything every instance is started with but its PORT; a restart reuses it, database included. */
  env: Record<string, string>;
  /** Where shoppers and MoMo's callbacks go: the one instance, or the proxy in front of several. */
  url: string;
  /** Each instance's own address, in the order the proxy gives them turns. */
  instanceUrls: string[];
  dir: string;
  nodeArgs: string[];
}

export interface FleetShape {
  /** The run's database (database.ts); a SQLite file in `dir` when not given. */
  database?: RunDatabase;
  /** Sokoni processes on that database (1); more than one go behind the proxy. */
  instances?: number;
}

/**
 * Sokoni's environment for the given sandbox: its own API users, the run's database, and
 * PUBLIC_URL only when callbacks are wanted (the proxy's, with several instances, so a callback
 * lands on any of them). `settings` override the rest (rate limits, worker).
 */
export async function sokoniLaunch(
  dir: string, sandbox: SandboxProcess, callbacks: boolean, settings: Record<string, string> = {}, nodeArgs: string[] = [], shape: FleetShape = {},
): Promise<SokoniLaunch> {
  const count = shape.instances ?? 1;
  const instanceUrls: string[] = [];
  for (let i = 0; i < count; i++) instanceUrls.push(`http://127.0.0.1:${await freePort()}`);
  const url = count === 1 ? instanceUrls[0]! : `http://127.0.0.1:${await freePort()}`;
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
    instanceUrls,
    nodeArgs,
    env: {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      ...(shape.database?.env ?? { DATABASE_PATH: join(dir, 'sokoni.db') }),
      MOMO_BASE_URL: sandbox.url,
      ...credentials,
      ...(callbacks ? { PUBLIC_URL: url } : {}),
      // Behind the proxy, as a deployment behind nginx would say (README, "Running several
      // instances"): the proxy on loopback names the client in X-Forwarded-For.
      ...(count > 1 ? { TRUST_PROXY: 'loopback' } : {}),
      // The storefront's per-client limits would refuse a load generator on one address.
      PAY_RATE_LIMIT_PER_MIN: '10000000',
      CALLBACK_RATE_LIMIT_PER_MIN: '10000000',
      ...settings,
    },
  };
}

/** Instance `i` (0 by default) of the launch; with several, each logs to sokoni-<i+1>.log. */
export function startSokoniProcess(launch: SokoniLaunch, i = 0): Promise<Child> {
  const url = launch.instanceUrls[i];
  if (url === undefined) throw new Error(`instance ${i} of ${launch.instanceUrls.length}`);
  return spawnNode({
    script: 'src/main.ts',
    cwd: launch.dir,
    logFile: join(launch.dir, launch.instanceUrls.length === 1 ? 'sokoni.log' : `sokoni-${i + 1}.log`),
    url,
    readyPath: '/api/products',
    env: { ...launch.env, PORT: new URL(url).port },
    nodeArgs: launch.nodeArgs,
  });
}
