// One chaos run: orders through POST /pay while the sandbox injects faults (5xx answers,
// answers lost after the state changed, dropped callbacks, latency, hung requests) and Sokoni
// is SIGKILLed at random moments and restarted on the same database. With several instances
// (PostgreSQL), they sit behind the round-robin proxy and a random one is killed each time while
// the others serve. When everything is quiet, the invariants module compares Sokoni's database,
// which holds every instance's work, with the sandbox's record.
// Used by `npm run chaos` and by test/chaos.
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { DEMO_PRODUCT_IDS } from '../src/db';
import { parseDecimal } from '../src/money';
import type { FaultRuleInput } from '../src/sandbox';
import { JsonClient } from './http';
import { createApprover, refundOrder, type RefundTally } from './chaos-refunds';
import { chaosTiming, formatTiming, type ChaosTiming } from './chaos-timing';
import { postgresDatabase, sqliteDatabase, startPostgresServer, type DbKind, type PostgresServer, type RunDatabase } from './database';
import { Fleet } from './fleet';
import { checkBooks, checkInvariants, isQuiet, type BooksReport, type InvariantReport } from './invariants';
import { runDir, sokoniLaunch, startSandboxProcess, type SokoniLaunch } from './stack';

export interface ChaosOptions {
  orders: number;
  kills: number;
  concurrency?: number;
  /** Sets all four SANDBOX_FAULT_*_RATE of the sandbox to this, on top of CHAOS_FAULTS. */
  faultRate?: number;
  /** How long to wait for everything to become final after the last order. */
  quietWithinMs?: number;
  /** The share of orders refunded, partially or fully, at random moments (0.2 by default). */
  refundShare?: number;
  /** Where the logs (and the SQLite file) go; a new folder under bench/out by default. */
  dir?: string;
  /** SQLite (a file in `dir`, the default) or a fresh PostgreSQL database (database.ts). */
  db?: DbKind;
  /** Sokoni processes on the one database, behind the proxy when more than one (1). */
  instances?: number;
  log?: (line: string) => void;
}

export interface ChaosResult extends InvariantReport {
  dir: string;
  db: DbKind;
  instances: number;
  /** Where the data was (the SQLite file, or the PostgreSQL database and server). */
  where: string;
  kills: number;
  /** Orders whose POST /pay was answered with an order. */
  placed: number;
  /** Orders POST /pay refused for good (a 4xx), which is not a violation. */
  refused: number;
  elapsedS: number;
  /** The sandbox's fault rates as it reported them at the end. */
  faultRates: { errorRate: number; timeoutRate: number; lostAnswerRate: number; dropCallbackRate: number };
  /** From the moment the faults stopped (every order placed) to every order final; null if not within the wait. */
  quietAfterFaultsS: number | null;
  timing: ChaosTiming;
  books: BooksReport;
  refunds: RefundTally;
}

const ADMIN_TOKEN = 'chaos-admin-token-0123456789';

/** Every kind of fault, each often enough to meet many orders and rare enough to let most finish. */
export const CHAOS_FAULTS: FaultRuleInput[] = [
  { kind: 'error', probability: 0.04, status: 500 },
  { kind: 'error', probability: 0.03, status: 503 },
  { kind: 'lostAnswer', probability: 0.04, as: 'drop' },
  { kind: 'lostAnswer', probability: 0.03, as: 'error' },
  { kind: 'timeout', probability: 0.01, holdMs: 1500 },
  { kind: 'latency', probability: 0.2, latencyMs: 150 },
  { kind: 'dropCallback', probability: 0.3 },
];

/** Quick reads and short timeouts, so the run converges in seconds; everything else is Sokoni's default. */
const CHAOS_SETTINGS = {
  ACCESS_LOG: 'false',
  ADMIN_TOKEN,
  CHECK_FIRST_MS: '100',
  CHECK_MAX_MS: '400',
  MOMO_TIMEOUT_MS: '1000',
  MOMO_STATUS_READS_PER_S: '100000',
  MOMO_CREATES_PER_S: '100000',
  MOMO_CIRCUIT_COOLDOWN_MS: '300',
  // The failing sellers are sandbox numbers whose wallet checks fail too, on purpose.
  SELLER_WALLET_CHECK: 'false',
};

// Payers: ordinary shoppers, plus the sandbox numbers that reject or fail a collection.
const FAILING_PAYERS = ['46733123451', '46733123452'];
// Sellers whose transfers fail: for good (PAYEE_NOT_FOUND), or temporarily until attempts run out.
const FAILING_SELLERS = ['46733123457', '46733123450'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function addFailingSellers(client: JsonClient): Promise<string[]> {
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const products: string[] = [];
  for (const msisdn of FAILING_SELLERS) {
    const seller = await client.request('POST', '/api/sellers', auth, { name: `Chaos seller ${msisdn}`, msisdn });
    if (seller.status !== 201) throw new Error(`creating a seller: ${seller.status} ${JSON.stringify(seller.body)}`);
    const product = await client.request('POST', '/api/products', auth, {
      sellerId: (seller.body as { id: string }).id, name: `Chaos goods ${msisdn}`, priceMinor: 1234, currency: 'EUR',
    });
    if (product.status !== 201) throw new Error(`creating a product: ${product.status} ${JSON.stringify(product.body)}`);
    products.push((product.body as { id: string }).id);
  }
  return products;
}

/** The MoMo accounts' opening balances, booked as an operator would on the first day (issue #12). */
async function bookOpeningBalances(client: JsonClient, opening: { collection: string; disbursement: string }): Promise<void> {
  for (const account of ['collection', 'disbursement'] as const) {
    const minor = parseDecimal(opening[account], 'EUR');
    if (minor === 0) continue;
    const answer = await client.request('POST', '/api/books/journals', { authorization: `Bearer ${ADMIN_TOKEN}` }, {
      currency: 'EUR', note: `Opening balance of the ${account} account`,
      lines: [{ account, amountMinor: minor }, { account: 'opening_equity', amountMinor: -minor }],
    });
    if (answer.status !== 201) throw new Error(`booking the opening balance: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
}

/**
 * Places order i as a shopper whose connection may break would: the same idempotency key
 * until an answer comes. Returns the order placed, or that it was refused for good.
 */
async function placeOrder(client: () => JsonClient, i: number, productIds: string[], deadline: number): Promise<{ orderId: string } | 'refused'> {
  const payer = i % 10 === 7 ? FAILING_PAYERS[i % FAILING_PAYERS.length]! : `25677${String(10_000_000 + i).slice(1)}`;
  const body = { productId: productIds[i % productIds.length], qty: 1 + (i % 3), phone: payer, idempotencyKey: `chaos-${i}` };
  for (;;) {
    try {
      const answer = await client().request('POST', '/pay', {}, body, 5000);
      if (answer.status === 200 || answer.status === 202) return { orderId: (answer.body as { id: string }).id };
      if (answer.status >= 400 && answer.status < 500 && answer.status !== 429) return 'refused';
    } catch {
      // Sokoni is down or the connection broke: the order may or may not exist; ask again.
    }
    if (performance.now() > deadline) throw new Error(`order ${i} could not be placed before the deadline`);
    await sleep(50);
  }
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const dir = options.dir ?? runDir('chaos');
  const kind = options.db ?? 'sqlite';
  const server: PostgresServer | null = kind === 'postgres' ? await startPostgresServer() : null;
  let database: RunDatabase | null = null;
  let sandbox: Awaited<ReturnType<typeof startSandboxProcess>> | null = null;
  let fleet: Fleet | null = null;
  let client: JsonClient | null = null;
  let keep = false;
  try {
    database = server === null ? sqliteDatabase(dir) : await postgresDatabase(server, 'chaos');
    const rate = options.faultRate === undefined ? {} : faultRateEnv(options.faultRate);
    sandbox = await startSandboxProcess(dir, { SANDBOX_APPROVAL: 'delay', SANDBOX_APPROVAL_DELAY_MS: '100', ...rate });
    const launch: SokoniLaunch = await sokoniLaunch(dir, sandbox, true, CHAOS_SETTINGS, [], { database, instances: options.instances ?? 1 });
    fleet = await Fleet.start(launch);
    client = new JsonClient(launch.url, 256);
    const sql = database.sql();
    // The second person who approves refunds, with their own API key (the owner key asks).
    const approverKey = await createApprover(sql);
    const productIds = [...DEMO_PRODUCT_IDS, ...(await addFailingSellers(client))];
    await bookOpeningBalances(client, (await sandbox.control.settings()).balances);
    for (const rule of CHAOS_FAULTS) await sandbox.control.addFault(rule);
    log(`sandbox ${sandbox.url}, Sokoni ${launch.url}${fleet.size > 1 ? ` (a proxy in front of ${launch.instanceUrls.join(', ')})` : ''}, ${database.where}, logs in ${dir}`);

    // Kill points: random moments, expressed as how many orders have been placed by then.
    const killAt = Array.from({ length: options.kills }, () => Math.floor(options.orders * (0.05 + Math.random() * 0.85))).sort((a, b) => a - b);
    let done = 0;
    let kills = 0;
    let placed = 0;
    let refused = 0;
    const deadline = performance.now() + 10 * 60_000;
    let finished = false;
    // Every kill happens: one whose point the shoppers passed while Sokoni was restarting (a
    // slow start on a loaded machine) comes at once, and any left when the last order is placed
    // come then, while the orders settle. Skipping them made a run with fewer kills than asked.
    const running = fleet;
    const killer = async () => {
      while (kills < killAt.length) {
        if (done >= killAt[kills]! || finished) {
          await sleep(Math.random() * 100);
          const victim = Math.floor(Math.random() * running.size);
          kills++;
          log(`kill ${kills}/${killAt.length} after ${done} orders${running.size > 1 ? ` (instance ${victim + 1} of ${running.size})` : ''}; restarting on the same database`);
          await running.restart(victim, 'SIGKILL');
        }
        await sleep(10);
      }
    };
    let next = 0;
    const refundShare = options.refundShare ?? 0.2;
    const refunds: RefundTally = { picked: 0, requested: 0, approved: 0, notRefundable: 0 };
    const refunding: Promise<void>[] = [];
    const refundErrors: string[] = [];
    const shopper = async () => {
      while (next < options.orders) {
        const outcome = await placeOrder(() => client!, next++, productIds, deadline);
        if (outcome === 'refused') refused++;
        else {
          placed++;
          if (Math.random() < refundShare) {
            const refund = refundOrder(() => client!, outcome.orderId, { requester: ADMIN_TOKEN, approver: approverKey }, Math.random, refunds, deadline);
            refunding.push(refund.catch((error: unknown) => void refundErrors.push(`order ${outcome.orderId}: ${error instanceof Error ? error.message : String(error)}`)));
          }
        }
        done++;
      }
    };
    const killing = killer();
    try {
      await Promise.all(Array.from({ length: options.concurrency ?? 16 }, shopper));
    } finally {
      finished = true;
      await killing;
    }
    log(`${placed} orders placed (${refused} refused); faults stop now; waiting for the refunds asked for, then for every order to be final`);

    // Once every order is placed MoMo turns healthy: the run then shows how soon Sokoni drains
    // what the faults left behind (issue #9: within 60 s). The rates in force are kept for the report.
    const { faults } = await sandbox.control.settings();
    await sandbox.control.updateSettings({ faults: { errorRate: 0, timeoutRate: 0, lostAnswerRate: 0, dropCallbackRate: 0 } });
    await sandbox.control.clearFaults();
    const faultsStopped = performance.now();
    // Refunds started under the faults and kills; the rest are asked for and approved now.
    await Promise.all(refunding);
    log(`${refunds.approved} refunds approved on ${refunds.picked} orders`);
    const quietBy = faultsStopped + (options.quietWithinMs ?? 120_000);
    let quiet = await isQuiet(sql);
    while (!quiet && performance.now() < quietBy) {
      await sleep(250);
      quiet = await isQuiet(sql);
    }
    const quietAfterFaultsS = quiet ? (performance.now() - faultsStopped) / 1000 : null;
    // Stop Sokoni first, so nothing moves while the two records are read.
    await fleet.stop('SIGTERM');
    const [transactions, balances, settings] = await Promise.all([sandbox.control.transactions(), sandbox.control.balances(), sandbox.control.settings()]);
    const report = await checkInvariants(sql, { transactions, balances, settings });
    const books = await checkBooks(sql, { transactions, balances, settings });
    report.violations.push(...books.violations, ...refundErrors);
    // Each idempotency key that was answered is exactly one order, however often it was sent.
    if (report.orders !== placed) report.violations.push(`${placed} orders were answered as placed, Sokoni has ${report.orders}`);
    // A violated run's PostgreSQL database stays for a look, when the server outlives the run.
    keep = report.violations.length > 0 && server !== null && !server.throwaway;
    const { errorRate, timeoutRate, lostAnswerRate, dropCallbackRate } = faults;
    return {
      ...report,
      dir,
      db: kind,
      instances: fleet.size,
      where: database.where,
      kills,
      placed,
      refused,
      elapsedS: (performance.now() - started) / 1000,
      faultRates: { errorRate, timeoutRate, lostAnswerRate, dropCallbackRate },
      quietAfterFaultsS,
      timing: await chaosTiming(sql, transactions),
      books,
      refunds,
    };
  } finally {
    client?.close();
    await fleet?.stop('SIGKILL');
    await sandbox?.child.kill('SIGTERM');
    await database?.close({ keep });
    await server?.stop();
  }
}

function faultRateEnv(rate: number): Record<string, string> {
  const value = String(rate);
  return {
    SANDBOX_FAULT_ERROR_RATE: value,
    SANDBOX_FAULT_TIMEOUT_RATE: value,
    SANDBOX_FAULT_LOST_ANSWER_RATE: value,
    SANDBOX_FAULT_DROP_CALLBACK_RATE: value,
  };
}

export function formatChaos(result: ChaosResult): string {
  const r = result.faultRates;
  const lines = [
    `Chaos run: ${result.placed} orders placed (${result.refused} refused), ${result.kills} SIGKILLs, ${result.elapsedS.toFixed(1)} s (${join(result.dir)})`,
    `Database: ${result.db}, ${result.instances} instance${result.instances === 1 ? '' : 's'}${result.instances > 1 ? ' behind a round-robin proxy' : ''}; ${result.where}`,
    `Orders: ${Object.entries(result.byStatus).map(([s, n]) => `${s} ${n}`).join(', ')}`,
    `Sandbox collections: ${result.collections.successful} successful, ${result.collections.failed} failed, ${result.collections.pending} pending`,
    `Sandbox transfers:   ${result.transfers.successful} successful, ${result.transfers.failed} failed, ${result.transfers.pending} pending`,
    `Refunds: ${result.refunds.picked} orders refunded (${result.refunds.requested} asked for, ${result.refunds.approved} approved by a second person); at the sandbox ${result.refundsAtSandbox.successful} successful, ${result.refundsAtSandbox.failed} failed`,
    `Sandbox fault rates: error ${r.errorRate}, timeout ${r.timeoutRate}, lost answer ${r.lostAnswerRate}, dropped callback ${r.dropCallbackRate} (besides the fixed rules)`,
    ...formatTiming(result.timing),
    result.quietAfterFaultsS === null
      ? 'After the faults stopped: not every order was final within the wait'
      : `After the faults stopped: every order final within ${result.quietAfterFaultsS.toFixed(1)} s`,
    `Books: ${result.books.lines.join('; ')}`,
    result.violations.length === 0 ? 'Invariants: all hold.' : `Invariants: ${result.violations.length} VIOLATED`,
    ...result.violations.slice(0, 50).map((v) => `  ✗ ${v}`),
  ];
  if (result.violations.length > 50) lines.push(`  … and ${result.violations.length - 50} more`);
  return lines.join('\n');
}
