// `npm run bench`: Sokoni and the standalone MoMo sandbox as separate processes on loopback, a
// fresh database per scenario, orders through POST /pay followed until settled. Every scenario
// runs with callbacks and with polling only; `--pending P` adds the many-unanswered-payments one.
// Flags: --orders N --concurrency C --polling-concurrency C --rate R --duration S --pending P
//        --limit L --new-rate R --only NAME --json FILE --cpu-prof --no-record --notes TEXT
//        --set NAME=VALUE (any Sokoni setting, repeatable; recorded with the figures)
import { numberArg, readArgs, refuse } from '../src/cli-args';
import { JsonClient } from './http';
import { runLoad, shopper, type LoadRun, type Pace } from './load';
import { ProcWatcher } from './proc-stats';
import { appendResults, commitOf, details, machineOf, percentile, table, writeJson, type Report, type Scenario } from './report';
import { runDir, sokoniLaunch, startSandboxProcess, startSokoniProcess, type SandboxProcess } from './stack';
import type { Child } from './procs';

const COMMAND = {
  name: 'npm run bench',
  usage: `usage: npm run bench -- [options]

Runs the standalone MoMo sandbox and Sokoni as processes on 127.0.0.1, drives orders through
POST /pay until settled, with callbacks and with polling only, prints one table and appends it
to bench/RESULTS.md. About two minutes with the defaults.

  --orders N               orders in each closed-loop (peak) scenario (2000)
  --concurrency C          shoppers in the callbacks peak (64)
  --polling-concurrency C  shoppers in the polling-only peak (1000)
  --rate R                 orders/s offered in the open-loop scenario (200)
  --duration S             seconds of each open-loop scenario (5)
  --pending P              also the backlog scenario: P payments left pending
  --limit L                MoMo rate limit (calls/s) in the pending scenario (10)
  --new-rate R             new orders/s in the pending scenario (2)
  --only NAME              only scenarios whose name contains NAME, e.g. callbacks-peak
  --set NAME=VALUE         any Sokoni setting (repeatable; recorded with the figures)
  --json FILE              also write the report as JSON
  --cpu-prof               write Sokoni's CPU profile to bench/out/…
  --no-record              do not append to bench/RESULTS.md
  --notes TEXT             a note recorded with the figures
  -h, --help               this text`,
  options: {
    orders: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '64' },
    'polling-concurrency': { type: 'string', default: '1000' },
    rate: { type: 'string', default: '200' },
    duration: { type: 'string', default: '5' },
    pending: { type: 'string' },
    limit: { type: 'string', default: '10' },
    'new-rate': { type: 'string', default: '2' },
    only: { type: 'string' },
    json: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
    notes: { type: 'string', default: '' },
    set: { type: 'string', multiple: true, default: [] as string[] },
  },
} as const;
const flags = readArgs(COMMAND);

const NUMBERS = ['orders', 'concurrency', 'polling-concurrency', 'rate', 'duration', 'pending', 'limit', 'new-rate'] as const;
const num = (name: (typeof NUMBERS)[number]): number => numberArg(COMMAND, name, flags[name], { above: 0 });
// Every number is checked now, not when its scenario comes up minutes later.
for (const name of NUMBERS) if (flags[name] !== undefined) num(name);

/**
 * Sokoni's defaults except: no per-client limits (set in stack.ts) and no access log (a line to
 * stdout per request measures the pipe, not Sokoni), and MoMo's rate limit out of the way
 * (the sandbox has none; Sokoni's default 10/s per product would cap every figure at 5 orders/s).
 */
const BENCH_SETTINGS: Record<string, string> = {
  ACCESS_LOG: 'false',
  MOMO_STATUS_READS_PER_S: '100000',
  MOMO_CREATES_PER_S: '100000',
  ...Object.fromEntries(flags.set.map((pair) => {
    const cut = pair.indexOf('=');
    if (cut < 1) return refuse(COMMAND, `--set wants NAME=VALUE, not ${JSON.stringify(pair)}`);
    return [pair.slice(0, cut), pair.slice(cut + 1)];
  })),
};

interface Stack {
  sandbox: SandboxProcess;
  sokoni: Child;
  client: JsonClient;
  stop(): Promise<void>;
}

async function startStack(label: string, callbacks: boolean): Promise<Stack> {
  const dir = runDir(label);
  const sandbox = await startSandboxProcess(dir);
  const nodeArgs = flags['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
  let sokoni: Child;
  try {
    sokoni = await startSokoniProcess(await sokoniLaunch(dir, sandbox, callbacks, BENCH_SETTINGS, nodeArgs));
  } catch (error) {
    await sandbox.child.kill('SIGKILL');
    throw error;
  }
  const client = new JsonClient(sokoni.url, 4096);
  return {
    sandbox,
    sokoni,
    client,
    async stop() {
      client.close();
      // SIGTERM lets Sokoni write its CPU profile when --cpu-prof is on.
      await sokoni.kill('SIGTERM');
      await sandbox.child.kill('SIGTERM');
    },
  };
}

/** A few orders first: JIT, SQLite's page cache and the first access tokens are not what we measure. */
async function warmUp(stack: Stack): Promise<void> {
  const run = await runLoad({ client: stack.client, orders: 200, pace: { kind: 'closed', concurrency: 16 }, payer: (i) => shopper(i + 4000) });
  const failed = run.results.filter((r) => r.error);
  if (failed.length) throw new Error(`warm-up failed: ${failed[0]!.error}`);
}

interface ProcFigures {
  peakRssMb: number;
  cpuSeconds: number;
  sandboxCpuSeconds: number;
  loadGeneratorCpuSeconds: number;
}

function summarise(name: string, callbacks: boolean, pace: Pace, run: LoadRun, calls: Record<string, number>, proc: ProcFigures): Scenario {
  const settled = run.results.filter((r) => r.status === 'settled' && r.finalMs !== null);
  const errors = run.results.filter((r) => r.error);
  const perOrder = (n: number) => (settled.length ? n / settled.length : NaN);
  const total = Object.values(calls).reduce((a, b) => a + b, 0);
  const pays = run.results.flatMap((r) => (r.payMs === null ? [] : [r.payMs]));
  const finals = settled.map((r) => r.finalMs!);
  return {
    name,
    callbacks,
    orders: run.results.length,
    concurrency: pace.kind === 'closed' ? pace.concurrency : null,
    offeredPerSecond: pace.kind === 'open' ? pace.perSecond : null,
    settled: settled.length,
    settledPerSecond: settled.length / (run.elapsedMs / 1000),
    latencyMs: { p50: percentile(finals, 50), p95: percentile(finals, 95), p99: percentile(finals, 99) },
    payLatencyMs: { p50: percentile(pays, 50), p99: percentile(pays, 99) },
    momoCallsPerOrder: perOrder(total),
    momoCallsByEndpoint: Object.fromEntries(Object.entries(calls).map(([op, n]) => [op, perOrder(n)])),
    ...proc,
    errors: errors.length + run.notOffered,
    errorSamples: [...new Set(errors.map((e) => e.error!))].slice(0, 3).concat(run.notOffered ? [`${run.notOffered} orders not offered: too many in flight`] : []),
  };
}

async function measured(stack: Stack, name: string, callbacks: boolean, pace: Pace, orders: number, resetCalls = true): Promise<Scenario> {
  if (resetCalls) await stack.sandbox.control.resetCalls();
  const watcher = new ProcWatcher(stack.sokoni.pid);
  const sandboxWatcher = new ProcWatcher(stack.sandbox.child.pid, 1000);
  const ownCpu = process.cpuUsage();
  const run = await runLoad({ client: stack.client, orders, pace });
  const own = process.cpuUsage(ownCpu);
  const { peakRssMb, cpuSeconds } = watcher.stop();
  const sandboxCpuSeconds = sandboxWatcher.stop().cpuSeconds;
  const calls = (await stack.sandbox.control.calls()).byOperation;
  const loadGeneratorCpuSeconds = (own.user + own.system) / 1e6;
  return summarise(name, callbacks, pace, run, calls, { peakRssMb, cpuSeconds, sandboxCpuSeconds, loadGeneratorCpuSeconds });
}

async function scenario(name: string, callbacks: boolean, pace: Pace, orders: number): Promise<Scenario> {
  process.stderr.write(`· ${name} …\n`);
  const stack = await startStack(name, callbacks);
  try {
    await warmUp(stack);
    const result = await measured(stack, name, callbacks, pace, orders);
    // Progress only; the table is printed once, at the end.
    process.stderr.write(`· ${name}: ${result.settledPerSecond.toFixed(1)} settled/s, p50 ${result.latencyMs.p50.toFixed(0)} ms, ${result.errors} errors\n`);
    return result;
  } finally {
    await stack.stop();
  }
}

/** Samples the sandbox's count of collection calls once a second: the limiter's lane is per product. */
function watchCollectionRate(stack: Stack): { stop(): Promise<{ max: number; mean: number }> } {
  const rates: number[] = [];
  let last: { at: number; n: number } | null = null;
  const collectionCalls = async () => {
    const { byOperation } = await stack.sandbox.control.calls();
    return Object.entries(byOperation).filter(([op]) => op.startsWith('collection.')).reduce((a, [, n]) => a + n, 0);
  };
  const tick = async () => {
    const n = await collectionCalls();
    const at = performance.now();
    if (last) rates.push(((n - last.n) * 1000) / (at - last.at));
    last = { at, n };
  };
  const timer = setInterval(() => void tick(), 1000);
  void tick();
  return {
    stop() {
      clearInterval(timer);
      return Promise.resolve({ max: Math.max(...rates), mean: rates.reduce((a, b) => a + b, 0) / rates.length });
    },
  };
}

/**
 * P payments that stay PENDING (the sandbox's PayerOngoing number, a payer who never answers the
 * handset), then new orders at a steady rate while Sokoni keeps reading the P. The P are placed
 * with MoMo's rate limit out of the way, then Sokoni restarts on the same database with the
 * configured limit, as after a deploy, and the measured phase begins.
 */
async function pendingScenario(pending: number): Promise<Scenario> {
  const limit = num('limit');
  const name = `pending-${pending}`;
  process.stderr.write(`· ${name} …\n`);
  const dir = runDir(name);
  const sandbox = await startSandboxProcess(dir);
  const launch = await sokoniLaunch(dir, sandbox, true, BENCH_SETTINGS);
  let sokoni = await startSokoniProcess(launch);
  let client = new JsonClient(sokoni.url, 1024);
  try {
    const placed = await runLoad({ client, orders: pending, pace: { kind: 'closed', concurrency: 32 }, payer: () => '46733123453', placeOnly: true });
    const failed = placed.results.filter((r) => r.error);
    if (failed.length) throw new Error(`placing pending orders failed: ${failed[0]!.error}`);
    client.close();
    await sokoni.kill('SIGTERM');
    launch.env.MOMO_STATUS_READS_PER_S = String(limit);
    sokoni = await startSokoniProcess(launch);
    client = new JsonClient(sokoni.url, 1024);
    // Stopped in the finally below, which also covers the first Sokoni.
    const stack: Stack = { sandbox, sokoni, client, stop: async () => {} };
    await sandbox.control.resetCalls();
    const reads = watchCollectionRate(stack);
    const rate = num('new-rate');
    const pace: Pace = { kind: 'open', perSecond: rate };
    const result = await measured(stack, name, true, pace, Math.round(rate * num('duration') * 4), false);
    const statusReadsPerSecond = await reads.stop();
    return { ...result, pending: { orders: pending, limitPerSecond: limit, statusReadsPerSecond } };
  } finally {
    client.close();
    await sokoni.kill('SIGTERM');
    await sandbox.child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const orders = num('orders');
  const rate = num('rate');
  const openOrders = Math.round(rate * num('duration'));
  const scenarios: Scenario[] = [];
  const wanted = (name: string) => !flags.only || name.includes(flags.only);

  // Per mode: the peak (closed loop), then latency at half of that peak and at `rate` offered.
  for (const [mode, callbacks, concurrency] of [['callbacks', true, num('concurrency')], ['polling', false, num('polling-concurrency')]] as const) {
    let peak: number | undefined;
    // Half-peak needs the peak's rate, so asking for it alone runs the peak too.
    if (wanted(`${mode}-peak`) || wanted(`${mode}-half-peak`)) {
      const result = await scenario(`${mode}-peak`, callbacks, { kind: 'closed', concurrency }, orders);
      scenarios.push(result);
      peak = result.settledPerSecond;
    }
    if (peak && wanted(`${mode}-half-peak`)) {
      const half = Math.round(peak / 2);
      scenarios.push(await scenario(`${mode}-half-peak`, callbacks, { kind: 'open', perSecond: half }, Math.round(half * num('duration'))));
    }
    if (wanted(`${mode}-${rate}`)) scenarios.push(await scenario(`${mode}-${rate}/s`, callbacks, { kind: 'open', perSecond: rate }, openOrders));
  }
  if (flags.pending) scenarios.push(await pendingScenario(num('pending')));
  if (scenarios.length === 0) throw new Error(`--only ${flags.only}: no scenario has that in its name`);

  const report: Report = { commit: commitOf(), machine: machineOf(), date: new Date().toISOString(), settings: BENCH_SETTINGS, scenarios };
  console.log(table(scenarios));
  console.log(details(scenarios));
  if (flags.json) writeJson(flags.json, report);
  if (!flags['no-record']) console.log(`recorded in ${appendResults(report, flags.notes)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exit(1);
  },
);
