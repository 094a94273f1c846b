// Figures out of raw results, and the three places they go: a table on stdout, a JSON file
// (shape fixed by issue #6), and a dated section appended to bench/RESULTS.md.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ROOT } from './procs';

export interface Scenario {
  name: string;
  callbacks: boolean;
  orders: number;
  /** Closed loop: shoppers in parallel; open loop: null (see offeredPerSecond). */
  concurrency: number | null;
  offeredPerSecond: number | null;
  /** Orders seen settled. */
  settled: number;
  settledPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number };
  payLatencyMs: { p50: number; p99: number };
  /** Total MoMo calls the sandbox counted, per settled order. */
  momoCallsPerOrder: number;
  /** Per operation (e.g. collection.getRequestToPay), per settled order. */
  momoCallsByEndpoint: Record<string, number>;
  peakRssMb: number;
  cpuSeconds: number;
  /** The other two processes on the same two cores, for what bounds the figures. */
  sandboxCpuSeconds: number;
  loadGeneratorCpuSeconds: number;
  errors: number;
  /** A few distinct error messages, to say what went wrong. */
  errorSamples: string[];
  /** What it ran on; absent in reports from before #17 (SQLite, one instance). */
  database?: 'sqlite' | 'postgres';
  instances?: number;
  /** The round-robin proxy in front of several instances, on the same two cores. */
  proxyCpuSeconds?: number;
  /** The PostgreSQL server the bench started, postmaster and backends, on the same two cores. */
  databaseCpuSeconds?: number;
  /** Only in the pending scenario. */
  pending?: { orders: number; limitPerSecond: number; statusReadsPerSecond: { max: number; mean: number } };
}

export interface Report {
  commit: string;
  machine: string;
  date: string;
  /** Sokoni's settings that differ from its defaults (per-client rate limits aside). */
  settings: Record<string, string>;
  scenarios: Scenario[];
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const round = (n: number, digits = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : NaN);

export function commitOf(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bench'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

export function machineOf(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.versions.node}`;
}

const HEAD = [
  'scenario', 'orders', 'load', 'settled/s', 'p50 ms', 'p95 ms', 'p99 ms', 'pay p50', 'pay p99', 'MoMo/order', 'peak RSS MB', 'CPU s', 'sandbox CPU s',
  'loadgen CPU s', 'CPU ms/order', 'sandbox ms/order', 'loadgen ms/order', 'errors',
];

/**
 * CPU-ms per settled order: on a shared machine the absolute rates move with the neighbours,
 * while the CPU each order costs a process moves far less, so before/after is compared in it.
 */
export function cpuMsPerOrder(cpuSeconds: number, s: Pick<Scenario, 'settled'>): number {
  return s.settled > 0 ? (cpuSeconds * 1000) / s.settled : NaN;
}

function row(s: Scenario): string[] {
  const load = s.concurrency !== null ? `C=${s.concurrency}` : `${s.offeredPerSecond}/s`;
  return [
    s.name, String(s.orders), load, String(round(s.settledPerSecond)), String(round(s.latencyMs.p50)), String(round(s.latencyMs.p95)),
    String(round(s.latencyMs.p99)), String(round(s.payLatencyMs.p50)), String(round(s.payLatencyMs.p99)), String(round(s.momoCallsPerOrder, 2)),
    String(round(s.peakRssMb)), String(s.cpuSeconds.toFixed(2)), String(round(s.sandboxCpuSeconds)), String(round(s.loadGeneratorCpuSeconds)),
    String(round(cpuMsPerOrder(s.cpuSeconds, s), 2)), String(round(cpuMsPerOrder(s.sandboxCpuSeconds, s), 2)),
    String(round(cpuMsPerOrder(s.loadGeneratorCpuSeconds, s), 2)), String(s.errors),
  ];
}

function extras(s: Scenario): string[] {
  const lines = [`${s.name}: MoMo calls per settled order: ${Object.entries(s.momoCallsByEndpoint).map(([op, n]) => `${op} ${round(n, 3)}`).join(', ') || 'none'}`];
  if (s.proxyCpuSeconds !== undefined) {
    lines.push(`${s.name}: ${s.instances ?? '?'} instances on ${s.database ?? '?'}; CPU s and peak RSS are theirs summed; the proxy in front used ${round(s.proxyCpuSeconds)} CPU s (${round(cpuMsPerOrder(s.proxyCpuSeconds, s), 2)} ms/order)`);
  }
  if (s.databaseCpuSeconds !== undefined) {
    lines.push(`${s.name}: PostgreSQL (postmaster and backends) used ${round(s.databaseCpuSeconds)} CPU s (${round(cpuMsPerOrder(s.databaseCpuSeconds, s), 2)} ms/order)`);
  }
  if (s.pending) {
    const p = s.pending;
    lines.push(`${s.name}: ${p.orders} payments left pending; collection status reads/s max ${round(p.statusReadsPerSecond.max)} mean ${round(p.statusReadsPerSecond.mean)} (limit ${p.limitPerSecond}/s)`);
  }
  for (const e of s.errorSamples) lines.push(`${s.name}: error: ${e}`);
  return lines;
}

export function table(scenarios: Scenario[]): string {
  const rows = [HEAD, ...scenarios.map(row)];
  const widths = HEAD.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
}

export function details(scenarios: Scenario[]): string {
  return scenarios.flatMap(extras).join('\n');
}

export function markdown(report: Report, notes: string): string {
  const rows = [HEAD, HEAD.map(() => '---'), ...report.scenarios.map(row)];
  return [
    `## ${report.date} · ${report.commit}`,
    '',
    `Machine: ${report.machine}`,
    `Sokoni settings beyond its defaults: ${Object.entries(report.settings).map(([k, v]) => `${k}=${v}`).join(', ')}`,
    ...(notes ? ['', notes] : []),
    '',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    ...report.scenarios.flatMap(extras).map((l) => `- ${l}`),
    '',
  ].join('\n');
}

export function writeJson(file: string, report: Report): void {
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

export function appendResults(report: Report, notes: string): string {
  const file = join(ROOT, 'bench', 'RESULTS.md');
  if (!existsSync(file)) writeFileSync(file, '# Benchmark results\n\nAppended by `npm run bench`, newest last. See README, "Benchmarks and chaos".\n\n');
  appendFileSync(file, `${markdown(report, notes)}\n`);
  return file;
}
