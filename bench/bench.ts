// `npm run bench`: Sokoni and the standalone MoMo sandbox as separate processes on loopback, a
// fresh database per scenario, orders through POST /pay followed until settled. Every scenario
// runs with callbacks and with polling only; `--pending P` adds the many-unanswered-payments one.
// Flags: --orders N --warm-up N --concurrency C --polling-concurrency C --rate R --duration S --pending P
//        --limit L --new-rate R --only NAME --json FILE --cpu-prof --perf-map --no-record --notes TEXT
//        --set NAME=VALUE (any Sokoni setting, repeatable; recorded with the figures)
//        --db sqlite|postgres --instances 1,2 (every scenario once per count, behind a proxy when >1)
import { numberArg, readArgs, refuse } from '../src/cli-args';
import { postgresDatabase, startPostgresServer, type PostgresServer, type RunDatabase } from './database';
import { Fleet } from './fleet';
import { fleetFlags } from './fleet-args';
import { JsonClient } from './http';
import { runLoad, shopper, type LoadRun, type Pace } from './load';
import { ProcWatcher, treeCpuSeconds } from './proc-stats';
import { appendResults, commitOf, details, machineOf, percentile, table, writeJson, type Report, type Scenario } from './report';
import { runDir, sokoniLaunch, startSandboxProcess, type SandboxProcess } from './stack';

const COMMAND = {
  name: 'npm run bench',
  usage: `usage: npm run bench -- [options]

Runs the standalone MoMo sandbox and Sokoni as processes on 127.0.0.1, drives orders through
POST /pay until settled, with callbacks and with polling only, prints one table and appends it
to bench/RESULTS.md. About a minute with the defaults.

  --orders N               orders in each closed-loop (peak) scenario (2000)
  --warm-up N              orders placed before each scenario is measured, at its mode's
                           peak concurrency, so that V8 has compiled the hot path (2000)
  --concurrency C          shoppers in the callbacks peak (64)
  --polling-concurrency C  shoppers in the polling-only peak (1000)
  --rate R                 orders/s offered in the open-loop scenario (200)
  --duration S             seconds of each open-loop scenario (5)
  --pending P              also the backlog scenario: P payments left pending
  --limit L                MoMo rate limit (calls/s) in the pending scenario (10)
  --new-rate R             new orders/s in the pending scenario (2)
  --only NAME              only scenarios whose name contains NAME, e.g. callbacks-peak
  --set NAME=VALUE         any Sokoni setting (repeatable; recorded with the figures)
  --db D                   sqlite (a file per scenario) or postgres: a fresh database per
                           scenario on the server DATABASE_URL names, else on a throwaway
                           cluster (sqlite)
  --instances LIST         Sokoni processes per scenario, comma-separated: every scenario runs
                           once per count, a row each; more than 1 sit behind a round-robin
                           proxy and need --db postgres (1)
  --json FILE              also write the report as JSON
  --cpu-prof               write Sokoni's CPU profile to bench/out/…
  --perf-map               run Sokoni with a perf map of its JIT code and print its pid, for
                           \`perf record -g -p PID\` (bench/perf-profile.ts reads the result)
  --no-record              do not append to bench/RESULTS.md
  --notes TEXT             a note recorded with the figures
  -h, --help               this text`,
  options: {
    orders: { type: 'string', default: '2000' },
    'warm-up': { type: 'string', default: '2000' },
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
    'perf-map': { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
    notes: { type: 'string', default: '' },
    set: { type: 'string', multiple: true, default: [] as string[] },
    db: { type: 'string', default: 'sqlite' },
    instances: { type: 'string', default: '1' },
  },
} as const;
const flags = readArgs(COMMAND);
const fleetShape = fleetFlags(COMMAND, flags);

const NUMBERS = ['orders', 'concurrency', 'polling-concurrency', 'rate', 'duration', 'pending', 'limit', 'new-rate', 'warm-up'] as const;
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

/** The PostgreSQL server of the run (--db postgres), on which each scenario gets a fresh database. */
let postgresServer: PostgresServer | null = null;

/** What a scenario runs on: the database kind and how many instances. */
interface Shape {
  instances: number;
}

/** The scenario's name in the table: as before for one instance on SQLite, else with its shape. */
function named(base: string, shape: Shape): string {
  return fleetShape.db === 'sqlite' && shape.instances === 1 ? base : `${base}@${fleetShape.db}×${shape.instances}`;
}

async function scenarioDatabase(label: string): Promise<RunDatabase | undefined> {
  if (fleetShape.db === 'sqlite') return undefined;
  postgresServer ??= await startPostgresServer();
  return postgresDatabase(postgresServer, label);
}

interface Stack {
  sandbox: SandboxProcess;
  fleet: Fleet;
  client: JsonClient;
  stop(): Promise<void>;
}

async function startStack(label: string, callbacks: boolean, shape: Shape): Promise<Stack> {
  const dir = runDir(label);
  const sandbox = await startSandboxProcess(dir);
  // V8's own profiler samples wall time on the main thread only, so a native call that waits for
  // the CPU counts as busy; perf counts every thread's time on the CPU, named by this map.
  const nodeArgs = [
    ...(flags['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []),
    ...(flags['perf-map'] ? ['--perf-basic-prof-only-functions', '--interpreted-frames-native-stack'] : []),
  ];
  let database: RunDatabase | undefined;
  let fleet: Fleet;
  try {
    database = await scenarioDatabase(label);
    fleet = await Fleet.start(await sokoniLaunch(dir, sandbox, callbacks, BENCH_SETTINGS, nodeArgs, { ...(database ? { database } : {}), instances: shape.instances }));
    if (flags['perf-map']) console.log(`· ${label}: Sokoni's pid ${fleet.pids().join(', ')}, perf map /tmp/perf-<pid>.map`);
  } catch (error) {
    await sandbox.child.kill('SIGKILL');
    await database?.close();
    throw error;
  }
  const client = new JsonClient(fleet.url, 4096);
  return {
    sandbox,
    fleet,
    client,
    async stop() {
      client.close();
      // SIGTERM lets Sokoni write its CPU profile when --cpu-prof is on.
      await fleet.stop('SIGTERM');
      await sandbox.child.kill('SIGTERM');
      await database?.close();
    },
  };
}

/**
 * Orders first, unmeasured: JIT, SQLite's page cache and the first access tokens are not what we
 * measure. 2000 by default, at the mode's peak concurrency: after the 200 at 16 shoppers this
 * once was, V8 was still compiling the hot path through the measured run (its optimising
 * compiler spent 1.2 s on Sokoni after the first order, against 4.4 s for the 2000 measured,
 * and the JIT threads were 17% of Sokoni's CPU in a whole run, 2% in a long one: issue #16).
 */
async function warmUp(stack: Stack, concurrency: number): Promise<void> {
  const run = await runLoad({ client: stack.client, orders: num('warm-up'), pace: { kind: 'closed', concurrency }, payer: (i) => shopper(i + 4000) });
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
  // Sokoni's figures are all its instances' together: CPU summed, and the sum of each one's peak RSS.
  const watchers = stack.fleet.pids().map((pid) => new ProcWatcher(pid));
  const proxyWatcher = stack.fleet.proxy === null ? null : new ProcWatcher(stack.fleet.proxy.pid, 1000);
  // A PostgreSQL started for the run shares the two cores too: its postmaster and every backend.
  const postmaster = postgresServer?.pid ?? null;
  const databaseCpuBefore = postmaster === null ? 0 : treeCpuSeconds(postmaster);
  const sandboxWatcher = new ProcWatcher(stack.sandbox.child.pid, 1000);
  const ownCpu = process.cpuUsage();
  const run = await runLoad({ client: stack.client, orders, pace });
  const own = process.cpuUsage(ownCpu);
  const instances = watchers.map((watcher) => watcher.stop());
  const peakRssMb = instances.reduce((sum, one) => sum + one.peakRssMb, 0);
  const cpuSeconds = instances.reduce((sum, one) => sum + one.cpuSeconds, 0);
  const sandboxCpuSeconds = sandboxWatcher.stop().cpuSeconds;
  const proxyCpuSeconds = proxyWatcher?.stop().cpuSeconds;
  const databaseCpuSeconds = postmaster === null ? undefined : treeCpuSeconds(postmaster) - databaseCpuBefore;
  const calls = (await stack.sandbox.control.calls()).byOperation;
  const loadGeneratorCpuSeconds = (own.user + own.system) / 1e6;
  const scenario = summarise(name, callbacks, pace, run, calls, { peakRssMb, cpuSeconds, sandboxCpuSeconds, loadGeneratorCpuSeconds });
  return {
    ...scenario,
    database: fleetShape.db,
    instances: stack.fleet.size,
    ...(proxyCpuSeconds === undefined ? {} : { proxyCpuSeconds }),
    ...(databaseCpuSeconds === undefined ? {} : { databaseCpuSeconds }),
  };
}

async function scenario(name: string, callbacks: boolean, pace: Pace, orders: number, shape: Shape): Promise<Scenario> {
  process.stderr.write(`· ${name} …\n`);
  const stack = await startStack(name, callbacks, shape);
  try {
    await warmUp(stack, num(callbacks ? 'concurrency' : 'polling-concurrency'));
    const result = await measured(stack, name, callbacks, pace, orders);
    // Progress only; the table is printed once, at the end.
    process.stderr.write(`· ${name}: ${result.settledPerSecond.toFixed(1)} settled/s, p50 ${result.latencyMs.p50.toFixed(0)} ms, ${result.errors} errors\n`);
    return result;
  } finally {
    await stack.stop();
  }
}

/**
 * Samples the sandbox's count of collection status reads once a second: the limit MOMO_STATUS_READS_PER_S
 * holds them to. Creates have their own limit (MOMO_CREATES_PER_S) since #16, so they are not counted.
 */
function watchCollectionRate(stack: Stack): { stop(): Promise<{ max: number; mean: number }> } {
  const rates: number[] = [];
  let last: { at: number; n: number } | null = null;
  const collectionCalls = async () => {
    const { byOperation } = await stack.sandbox.control.calls();
    return byOperation['collection.getRequestToPay'] ?? 0;
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
async function pendingScenario(pending: number, shape: Shape): Promise<Scenario> {
  const limit = num('limit');
  const name = named(`pending-${pending}`, shape);
  process.stderr.write(`· ${name} …\n`);
  const dir = runDir(name);
  const sandbox = await startSandboxProcess(dir);
  let database: RunDatabase | undefined;
  let fleet: Fleet | null = null;
  let client: JsonClient | null = null;
  try {
    database = await scenarioDatabase(name);
    const launch = await sokoniLaunch(dir, sandbox, true, BENCH_SETTINGS, [], { ...(database ? { database } : {}), instances: shape.instances });
    fleet = await Fleet.start(launch);
    client = new JsonClient(fleet.url, 1024);
    const placed = await runLoad({ client, orders: pending, pace: { kind: 'closed', concurrency: 32 }, payer: () => '46733123453', placeOnly: true });
    const failed = placed.results.filter((r) => r.error);
    if (failed.length) throw new Error(`placing pending orders failed: ${failed[0]!.error}`);
    client.close();
    await fleet.stop('SIGTERM');
    launch.env.MOMO_STATUS_READS_PER_S = String(limit);
    fleet = await Fleet.start(launch);
    client = new JsonClient(fleet.url, 1024);
    // Stopped in the finally below, which also covers the first fleet.
    const stack: Stack = { sandbox, fleet, client, stop: async () => {} };
    await sandbox.control.resetCalls();
    const reads = watchCollectionRate(stack);
    const rate = num('new-rate');
    const pace: Pace = { kind: 'open', perSecond: rate };
    const result = await measured(stack, name, true, pace, Math.round(rate * num('duration') * 4), false);
    const statusReadsPerSecond = await reads.stop();
    return { ...result, pending: { orders: pending, limitPerSecond: limit, statusReadsPerSecond } };
  } finally {
    client?.close();
    await fleet?.stop('SIGTERM');
    await sandbox.child.kill('SIGTERM');
    await database?.close();
  }
}

/** Every wanted scenario for one shape (a database kind and a number of instances). */
async function scenariosFor(shape: Shape): Promise<Scenario[]> {
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
      const result = await scenario(named(`${mode}-peak`, shape), callbacks, { kind: 'closed', concurrency }, orders, shape);
      scenarios.push(result);
      peak = result.settledPerSecond;
    }
    if (peak && wanted(`${mode}-half-peak`)) {
      const half = Math.round(peak / 2);
      scenarios.push(await scenario(named(`${mode}-half-peak`, shape), callbacks, { kind: 'open', perSecond: half }, Math.round(half * num('duration')), shape));
    }
    if (wanted(`${mode}-${rate}`)) scenarios.push(await scenario(named(`${mode}-${rate}/s`, shape), callbacks, { kind: 'open', perSecond: rate }, openOrders, shape));
  }
  if (flags.pending) scenarios.push(await pendingScenario(num('pending'), shape));
  return scenarios;
}

async function main(): Promise<void> {
  const scenarios: Scenario[] = [];
  try {
    // A row per instance count, scenario by scenario, so the counts sit next to each other in the table.
    for (const instances of fleetShape.instances) scenarios.push(...(await scenariosFor({ instances })));
  } finally {
    await postgresServer?.stop();
  }
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
