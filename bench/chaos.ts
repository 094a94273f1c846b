// `npm run chaos`: M orders (default 1000) under injected MoMo faults and K SIGKILLs of Sokoni
// (default 5), then the money invariants and what shoppers felt. Exits 1 on any violation.
// `--db postgres --instances 3`: three instances on one PostgreSQL behind a proxy, killed at random.
import { numberArg, readArgs, refuse } from '../src/cli-args';
import { formatChaos, runChaos } from './chaos-run';
import { fleetFlags } from './fleet-args';

const COMMAND = {
  name: 'npm run chaos',
  usage: `usage: npm run chaos -- [options]

Runs the standalone MoMo sandbox (injecting 500s, 503s, lost answers, hung requests, latency and
dropped callbacks) and Sokoni as processes, places orders while SIGKILLing Sokoni at random
moments, waits until every order is final, then checks the money invariants against the
sandbox's records and reports time to final. Exits 1 on any violation.

  --orders M         orders to place (1000)
  --kills K          SIGKILLs of Sokoni, each followed by a restart on the same database (5);
                     with several instances, each kill picks one at random
  --db D             sqlite (a file in the run's folder) or postgres: a fresh database on the
                     server DATABASE_URL names, else on a throwaway cluster (sqlite)
  --instances N      Sokoni processes on the one database, behind a round-robin proxy that
                     shoppers and MoMo's callbacks go through; more than 1 needs --db postgres (1)
  --concurrency C    shoppers placing orders at once (16)
  --refund-share S   the share of orders refunded, partially or fully, at random moments,
                     asked with the owner key and approved by a second person (0.2)
  --fault-rate R     also sets the sandbox's SANDBOX_FAULT_ERROR_RATE, _TIMEOUT_RATE,
                     _LOST_ANSWER_RATE and _DROP_CALLBACK_RATE to R (0 to 1), on top of
                     the fixed fault rules (default: none)
  -h, --help         this text`,
  options: {
    orders: { type: 'string', default: '1000' },
    kills: { type: 'string', default: '5' },
    db: { type: 'string', default: 'sqlite' },
    instances: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '16' },
    'fault-rate': { type: 'string' },
    'refund-share': { type: 'string', default: '0.2' },
  },
} as const;

const values = readArgs(COMMAND);
const faultRate = values['fault-rate'] === undefined ? undefined : numberArg(COMMAND, 'fault-rate', values['fault-rate'], { atLeast: 0 });
if (faultRate !== undefined && faultRate > 1) refuse(COMMAND, `--fault-rate is a probability from 0 to 1, not ${faultRate}`);
const fleet = fleetFlags(COMMAND, values);
if (fleet.instances.length !== 1) refuse(COMMAND, '--instances takes one count here (the bench takes a list)');
const refundShare = numberArg(COMMAND, 'refund-share', values['refund-share'], { atLeast: 0 });
if (refundShare > 1) refuse(COMMAND, `--refund-share is a share from 0 to 1, not ${refundShare}`);

runChaos({
  orders: numberArg(COMMAND, 'orders', values.orders, { atLeast: 1, integer: true }),
  kills: numberArg(COMMAND, 'kills', values.kills, { atLeast: 0, integer: true }),
  concurrency: numberArg(COMMAND, 'concurrency', values.concurrency, { atLeast: 1, integer: true }),
  ...(faultRate === undefined ? {} : { faultRate }),
  refundShare,
  db: fleet.db,
  instances: fleet.instances[0]!,
  log: (line) => console.log(`· ${line}`),
}).then(
  (result) => {
    console.log(formatChaos(result));
    process.exit(result.violations.length === 0 ? 0 : 1);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exit(1);
  },
);
