// npm run reconcile -- --from 2026-12-01 --to 2026-12-02
// Reconciles the movements created in [from, to) (dates are local midnights in SHOP_TIMEZONE;
// ISO 8601 times with an offset work too) against MoMo, and the books' expected balances against
// MoMo's. Progress goes to stderr, the report to stdout. Exit code: 0 nothing unresolved, 1
// differences (or the run could not finish), 2 the command or the configuration is wrong: so
// cron can run it and mail whoever must look.
import { readArgs } from '../cli-args';
import { ConfigError, loadConfig } from '../config';
import { describeDatabase, openForCommand } from '../db/open';
import { DomainError } from '../domain-error';
import { loadDotenv } from '../env-file';
import { createLogger } from '../log';
import { createMomoClient, momoOptionsFromConfig } from '../momo';
import { createMomoProvider } from '../providers';
import { createBooksService } from './service';
import { isoInZone } from './time';

const args = readArgs({
  name: 'npm run reconcile',
  usage: `usage: npm run reconcile -- --from 2026-12-01 --to 2026-12-02

Reconciles the movements created in [from, to) against MoMo (status, amount, currency, financial
transaction id) and the books' expected balances against MoMo's. --from and --to are dates (local
midnight in SHOP_TIMEZONE) or ISO 8601 times with an offset. Progress on stderr, the report on
stdout. Exit code 0: nothing unresolved; 1: differences; 2: the command or configuration is wrong.`,
  options: { from: { type: 'string' }, to: { type: 'string' } },
});
loadDotenv();

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}
if (config.momo.mode === 'embedded' || !config.momo.baseUrl) {
  fail('The embedded sandbox lives inside the running Sokoni: reconcile there with POST /api/books/reconciliations, or set MOMO_BASE_URL and the credentials of a MoMo.');
}

// DATABASE_URL when set (PostgreSQL), else DATABASE_PATH, as Sokoni itself opens it; reconciling never migrates.
const store = await openForCommand(config, { migrate: false });
if (store.pending.length) {
  await store.close();
  fail(`${describeDatabase(config)} is behind (${store.pending.join(', ')}): run npm run migrate first.`);
}

// Logs are JSON lines on stderr, beside the progress, so stdout holds only the report.
const log = createLogger({ level: 'warn', write: (line) => process.stderr.write(`${line}\n`) });
const client = createMomoClient({ ...momoOptionsFromConfig(config.momo, config.momo.baseUrl), credentials: config.momo.credentials });
const books = createBooksService({ sql: store.sql, timezone: config.books.timezone, log, providers: [createMomoProvider(client, { approvalWindowMs: config.worker.approvalWindowS * 1000, targetEnvironment: config.momo.targetEnvironment })] });

let period;
try {
  period = books.reconcilePeriod({ from: args.from, to: args.to });
} catch (error) {
  if (error instanceof DomainError) fail(`--${error.field ?? 'from'}: ${error.message}`);
  throw error;
}

const zone = config.books.timezone;
let shown = 0;
const report = await books.reconcile(period, 'cli', ({ checked, total }) => {
  // About a hundred updates for a long run, every one for a short one.
  if (checked === total || checked - shown >= Math.max(1, Math.floor(total / 100))) {
    shown = checked;
    process.stderr.write(`\rreading MoMo's records: ${checked}/${total}`);
  }
});
if (shown > 0) process.stderr.write('\n');
await store.close();

const out = [
  `Reconciliation ${report.id}: ${isoInZone(report.fromAt, zone)} to ${isoInZone(report.toAt, zone)}`,
  `  attempts checked ${report.checked}, matched ${report.matched}, still in flight ${report.open}`,
  `  differences ${report.items.length}, unresolved ${report.unresolved}`,
  ...report.items.map((i) => `  #${i.id} ${i.kind}${i.referenceId ? ` ${i.referenceId}` : ''}${i.orderId ? ` order ${i.orderId}` : ''}${i.account ? ` ${i.account}` : ''}${i.currency ? ` ${i.currency}` : ''}: expected ${i.expected}, MoMo says ${i.actual}`),
  ...(report.error ? [`  the run did not finish: ${report.error}`] : []),
];
console.log(out.join('\n'));
process.exitCode = report.unresolved > 0 || report.error ? 1 : 0;
