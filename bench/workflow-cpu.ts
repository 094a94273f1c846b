// The checkout's own CPU per settled order, without HTTP: the real checkout, engine, worker and
// SQLite file, a provider that answers at once in this process and calls back on every create,
// and C shoppers each waiting for their order to settle as the long-poll does. It isolates what
// the database and the workflow cost from the HTTP servers and clients around them, so a change
// to the hot path can be judged in seconds and with little noise from a shared machine. It also
// counts the SQL statements run per order, a figure no other process on the machine can move.
//   npx tsx bench/workflow-cpu.ts [--orders N] [--concurrency C]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCheckout } from '../src/checkout';
import { numberArg, readArgs } from '../src/cli-args';
import { loadConfig } from '../src/config';
import { applyMigrations, DEMO_PRODUCT_IDS, demoSeedOptions, MovementStore, openDatabase, seedDemoCatalogue, SqliteSql, startCheckpointer } from '../src/db';
import { silentLogger } from '../src/log';
import type { PaymentProvider, ProviderTransaction, SendRequest } from '../src/providers';
import type { Statement } from 'better-sqlite3';

const COMMAND = {
  name: 'tsx bench/workflow-cpu.ts',
  usage: `usage: npx tsx bench/workflow-cpu.ts [--orders N] [--concurrency C] [--latency-ms L] [--checkpoint-ms M] [--pragma P] [--statements]

Runs N orders (2000) through the checkout with C shoppers (64) against an in-process provider
and prints per settled order (after 200 orders of warm-up) the CPU-ms, SQL statements, the
worker's picks, commits (a write outside a transaction commits on its own), and the KB the
process wrote (WAL frames, and the checkpointer copying them into the file every 500 ms, as
a serving process does); --latency-ms makes each provider call take L ms (0), as MoMo's
round trip does, so steps overlap as they do when serving; --checkpoint-ms checkpoints every M
ms instead (500); --pragma runs PRAGMA P on the measured connection first (to try a setting);
--statements also lists each statement's runs per order.`,
  options: { orders: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '64' }, 'latency-ms': { type: 'string', default: '0' }, 'checkpoint-ms': { type: 'string', default: '500' }, pragma: { type: 'string', default: '' }, statements: { type: 'boolean', default: false } },
} as const;
const flags = readArgs(COMMAND);
const orders = numberArg(COMMAND, 'orders', flags.orders, { atLeast: 1, integer: true });
const concurrency = numberArg(COMMAND, 'concurrency', flags.concurrency, { atLeast: 1, integer: true });
const latencyMs = numberArg(COMMAND, 'latency-ms', flags['latency-ms'], { atLeast: 0, integer: true });
const checkpointMs = numberArg(COMMAND, 'checkpoint-ms', flags['checkpoint-ms'], { atLeast: 1, integer: true });
const roundTrip = () => (latencyMs === 0 ? Promise.resolve() : new Promise<void>((resolve) => setTimeout(resolve, latencyMs)));

const dir = mkdtempSync(join(tmpdir(), 'sokoni-workflow-'));
const db = openDatabase(join(dir, 'sokoni.db'));
applyMigrations(db);
if (flags.pragma) db.pragma(flags.pragma);
// On a connection of its own: the measured one's port must be made after the counting below starts.
const seeding = openDatabase(join(dir, 'sokoni.db'));
await seedDemoCatalogue(new SqliteSql(seeding), demoSeedOptions('sandbox', 8000)!);
seeding.close();

// Every statement prepared from here on counts each time it runs (BEGIN and COMMIT included),
// and so does every commit: a COMMIT, or a write run outside a transaction (SQLite's autocommit).
let statements = 0;
let commits = 0;
const runsOf = new Map<string, number>();
const prepare = db.prepare.bind(db);
db.prepare = ((sql: string) => {
  const statement = prepare(sql) as Statement;
  // Its start and its end: statements that share a column list differ in their WHERE.
  const flat = sql.replace(/\s+/g, ' ');
  const text = flat.length <= 120 ? flat : `${flat.slice(0, 60)} … ${flat.slice(-60)}`;
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const original = statement[method].bind(statement) as (...args: unknown[]) => unknown;
    (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      statements++;
      if (/^COMMIT/.test(flat) || (!db.inTransaction && /^(INSERT|UPDATE|DELETE)/.test(flat))) commits++;
      runsOf.set(text, (runsOf.get(text) ?? 0) + 1);
      return original(...args);
    };
  }
  return statement;
}) as typeof db.prepare;

let picks = 0;
const { pick } = Object.getOwnPropertyDescriptors(MovementStore.prototype);
const picking = pick.value as MovementStore['pick'];
MovementStore.prototype.pick = function (this: MovementStore, ...args) {
  picks++;
  return picking.apply(this, args);
};

/** What this process (every thread) has written with write(2) and its kin, in bytes: /proc/self/io's wchar. */
function written(): number {
  return Number(/^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? 0);
}

const sent = new Map<string, SendRequest>();
let noteCallback: (reference: string) => void = () => {};
const provider: PaymentProvider = {
  name: 'momo',
  async send(request) {
    sent.set(request.referenceId, request);
    await roundTrip();
    // MoMo calls back once the transaction is final: here, just after accepting it.
    setImmediate(() => noteCallback(request.referenceId));
  },
  async read(_kind, referenceId) {
    await roundTrip();
    const request = sent.get(referenceId);
    const tx: ProviderTransaction | null = request
      ? { status: 'SUCCESSFUL', amountMinor: request.amountMinor, currency: request.currency, financialTransactionId: `fin-${referenceId}`, reason: null }
      : null;
    return tx;
  },
  balances: () => Promise.resolve({ collection: { availableBalance: '0', currency: 'EUR' }, disbursement: { availableBalance: '0', currency: 'EUR' } }),
  parseCallback: (callback) => (typeof callback.query.ref === 'string' ? callback.query.ref : null),
  acceptsCurrency: () => true,
  reasonOf: () => ({ kind: 'refused', retryable: false }),
};

// Made after the counting starts, so that its BEGIN and COMMIT are counted too.
const sql = new SqliteSql(db);
const checkout = createCheckout({
  sql,
  providers: [provider],
  settings: loadConfig({ SANDBOX_APPROVAL: 'instant' }).worker,
  log: silentLogger,
  callbackUrl: (reference) => `http://shop.test/callback?ref=${reference}`,
});
noteCallback = (reference) => void checkout.noteCallback({ query: { ref: reference }, body: '' });
await checkout.start();
const checkpointer = startCheckpointer(db, join(dir, 'sokoni.db'), checkpointMs, (message) => console.error(message));

const FINAL = new Set(['settled', 'failed', 'payout_failed']);

async function shopper(next: () => number | null, failures: string[]): Promise<void> {
  for (let i = next(); i !== null; i = next()) {
    const { snapshot } = await checkout.placeOrder({
      productId: DEMO_PRODUCT_IDS[i % DEMO_PRODUCT_IDS.length]!, qty: 1, msisdn: `25677${String(1_000_000 + (i % 5000)).padStart(7, '0')}`, idempotencyKey: null,
    });
    // As GET /orders/:id with `Prefer: wait` does: the status on each wake-up, the snapshot for the answer.
    let status = snapshot.order.status as string;
    while (!FINAL.has(status)) {
      await checkout.nextChange(snapshot.order.id, 30_000);
      status = (await checkout.orderStatus(snapshot.order.id))!;
    }
    await checkout.snapshot(snapshot.order.id);
    if (status !== 'settled') failures.push(status);
  }
}

interface Run {
  cpuMs: number;
  wallMs: number;
  failures: string[];
  statements: number;
  picks: number;
  commits: number;
  bytes: number;
}

async function run(count: number): Promise<Run> {
  let placed = 0;
  const before = { statements, picks, commits, bytes: written() };
  runsOf.clear();
  const next = () => (placed < count ? placed++ : null);
  const failures: string[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, () => shopper(next, failures)));
  const used = process.cpuUsage(cpu);
  return {
    cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - started, failures,
    statements: statements - before.statements, picks: picks - before.picks, commits: commits - before.commits, bytes: written() - before.bytes,
  };
}

try {
  await run(200);
  const measured = await run(orders);
  const { cpuMs, wallMs, failures } = measured;
  if (failures.length) throw new Error(`${failures.length} orders did not settle: ${failures[0]}`);
  const per = (n: number, digits: number) => (n / orders).toFixed(digits);
  console.log(`${orders} orders, ${concurrency} shoppers: ${per(cpuMs, 3)} CPU-ms per settled order, ${((orders * 1000) / wallMs).toFixed(0)} settled/s`);
  console.log(`per order: ${per(measured.statements, 1)} SQL statements, ${per(measured.picks, 2)} picks, ${per(measured.commits, 2)} commits, ${per(measured.bytes / 1024, 1)} KB written`);
  if (flags.statements) {
    for (const [text, runs] of [...runsOf].sort((a, b) => b[1] - a[1])) console.log(`${(runs / orders).toFixed(2).padStart(6)}  ${text}`);
  }
} finally {
  await checkout.stop();
  await checkpointer.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
