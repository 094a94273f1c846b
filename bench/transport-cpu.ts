// The MoMo transport's own CPU per exchange: this process sends N exchanges shaped like Sokoni's
// hot calls (a requesttopay or transfer POST answered 202 with no body, and its status read
// answered 200 with JSON) to a node:http server in a child process, so the server's CPU is not
// counted, through today's transport and through the one in a baseline commit, alternated
// A B A B in one run. Load from other processes on a shared machine moves both sides alike; the
// ratio is the figure to read.
//   npx tsx bench/transport-cpu.ts [--exchanges N] [--concurrency C] [--rounds R] [--baseline REV]
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { numberArg, readArgs } from '../src/cli-args';
import { createTransport, type Exchange, type Transport, type TransportOptions } from '../src/momo/http';

const COMMAND = {
  name: 'tsx bench/transport-cpu.ts',
  usage: `usage: npx tsx bench/transport-cpu.ts [--exchanges N] [--concurrency C] [--rounds R] [--baseline REV]

Sends N exchanges (4000) per round, C at once (16), through the current transport and through
src/momo/http.ts as of REV (5997547, the last on node:http), R rounds each (4) alternated after
one warm-up round each, and prints the CPU-ms of this process per 1000 exchanges.`,
  options: {
    exchanges: { type: 'string', default: '4000' },
    concurrency: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '4' },
    baseline: { type: 'string', default: '5997547' },
  },
} as const;
const flags = readArgs(COMMAND);
const exchanges = numberArg(COMMAND, 'exchanges', flags.exchanges, { atLeast: 1, integer: true });
const concurrency = numberArg(COMMAND, 'concurrency', flags.concurrency, { atLeast: 1, integer: true });
const rounds = numberArg(COMMAND, 'rounds', flags.rounds, { atLeast: 1, integer: true });

// The answers MoMo gives the hot calls, from a server that does nothing else.
const SERVER = `
const http = require('node:http');
const status = JSON.stringify({ amount: '1250', currency: 'EUR', financialTransactionId: '1234567890', externalId: 'order-1',
  payer: { partyIdType: 'MSISDN', partyId: '256772123456' }, payerMessage: 'Sokoni order', payeeNote: 'Order 1', status: 'SUCCESSFUL' });
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.method === 'POST') { res.writeHead(202, { 'Content-Length': '0' }); res.end(); }
    else { res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(status) }); res.end(status); }
  });
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
`;

const root = resolve(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'sokoni-transport-'));
// The baseline's own file, with its imports pointed back at this checkout's errors and types.
const baselineSource = execFileSync('git', ['show', `${flags.baseline}:src/momo/http.ts`], { cwd: root, encoding: 'utf8' }).replace(
  /from '\.\/(\w+)'/g,
  (_match, name: string) => `from '${join(root, 'src', 'momo', `${name}.ts`)}'`,
);
const baselinePath = join(scratch, 'baseline-http.ts');
writeFileSync(baselinePath, baselineSource);
// Before undici the transport had no close(): its agent's idle sockets did not hold the process.
type Sender = Pick<Transport, 'send'> & { close?(): Promise<void> };
const baseline = (await import(baselinePath)) as { createTransport(options: TransportOptions): Sender };

const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const [port] = (await once(server, 'message')) as [number];
const options: TransportOptions = { baseUrl: `http://127.0.0.1:${port}/`, timeoutMs: 10_000, maxSockets: 256, now: Date.now, onRequest: () => undefined };
const candidates = [
  { name: `node:http (${flags.baseline})`, transport: baseline.createTransport(options), cpu: [] as number[] },
  { name: 'current', transport: createTransport(options) as Sender, cpu: [] as number[] },
];

const headers = {
  'Ocp-Apim-Subscription-Key': 'f2b1c0d9e8a7b6c5d4e3f2a1b0c9d8e7',
  Authorization: `Bearer ${'eyJ0eXAiOiJKV1QiLCJhbGciOiJSMjU2In0'.repeat(16)}`,
  'X-Target-Environment': 'sandbox',
};
function exchange(i: number): Exchange {
  const referenceId = `4f1a3c2e-7b9d-4e8f-a1b2-${String(i).padStart(12, '0')}`;
  if (i % 2 === 0) {
    return {
      product: 'collection',
      operation: 'collection.requestToPay',
      method: 'POST',
      path: '/collection/v1_0/requesttopay',
      headers: { ...headers, 'X-Reference-Id': referenceId, 'X-Callback-Url': 'https://shop.example/momo/callback' },
      body: { amount: '1250', currency: 'EUR', externalId: 'order-1', payer: { partyIdType: 'MSISDN', partyId: '256772123456' }, payerMessage: 'Sokoni order', payeeNote: 'Order 1' },
      referenceId,
      attempt: 1,
    };
  }
  return { product: 'collection', operation: 'collection.getRequestToPay', method: 'GET', path: `/collection/v1_0/requesttopay/${referenceId}`, headers, referenceId, attempt: 1 };
}

async function round(transport: Sender): Promise<number> {
  let next = 0;
  const started = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < exchanges) {
        const answer = await transport.send(exchange(next++));
        if (answer.status !== 202 && answer.status !== 200) throw new Error(`unexpected status ${answer.status}`);
      }
    }),
  );
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000 / (exchanges / 1000);
}

try {
  for (const candidate of candidates) await round(candidate.transport);
  for (let r = 0; r < rounds; r++) for (const candidate of candidates) candidate.cpu.push(await round(candidate.transport));
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  for (const { name, cpu } of candidates) console.log(`${name}: ${median(cpu).toFixed(0)} CPU-ms per 1000 exchanges (rounds: ${cpu.map((v) => v.toFixed(0)).join(' ')})`);
  console.log(`current / baseline: ${(median(candidates[1]!.cpu) / median(candidates[0]!.cpu)).toFixed(2)}`);
} finally {
  for (const candidate of candidates) await candidate.transport.close?.();
  server.kill();
  rmSync(scratch, { recursive: true, force: true });
}
