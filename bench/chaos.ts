// `npm run chaos`: M orders (default 1000) under injected MoMo faults and K SIGKILLs of Sokoni
// (default 5), then the money invariants. Exits 1 on any violation.
// Flags: --orders M --kills K --concurrency C
import { parseArgs } from 'node:util';
import { formatChaos, runChaos } from './chaos-run';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '1000' },
    kills: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '16' },
  },
});

const count = (name: keyof typeof values, min: number): number => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer of at least ${min}`);
  return n;
};

runChaos({
  orders: count('orders', 1),
  kills: count('kills', 0),
  concurrency: count('concurrency', 1),
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
