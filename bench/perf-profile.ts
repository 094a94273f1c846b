// Where Sokoni's CPU goes, from a Linux perf recording: every thread's time on the CPU, named by
// the perf map that `npm run bench -- --perf-map` makes Sokoni write (bench/RESULTS.md, the third
// speed round of #16). V8's own profiler samples wall time on the main thread, so a native call
// that waits for a core counts as busy and the JIT and GC threads are not seen at all.
//
//   npm run bench -- --only callbacks-peak --orders 4000 --no-record --perf-map   (prints the pid)
//   perf record -F 1999 -g -p PID -o perf.data -- sleep 7                          (mid-run)
//   npx tsx bench/perf-profile.ts --pid PID --data perf.data [--orders N] [--hz 1999]
//
// N: the orders settled while perf recorded (settled/s × seconds), for milliseconds per order;
// --hz: perf record's -F.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { numberArg, readArgs } from '../src/cli-args';

const COMMAND = {
  name: 'npx tsx bench/perf-profile.ts',
  usage: 'usage: npx tsx bench/perf-profile.ts --pid PID --data perf.data [--orders N] [--hz 1999]',
  options: {
    pid: { type: 'string' },
    data: { type: 'string', default: 'perf.data' },
    orders: { type: 'string' },
    hz: { type: 'string', default: '1999' },
  },
} as const;
const flags = readArgs(COMMAND);
const pid = numberArg(COMMAND, 'pid', flags.pid, { above: 0 });
const orders = flags.orders === undefined ? null : numberArg(COMMAND, 'orders', flags.orders, { above: 0 });

/**
 * V8 appends a line to the map for each function it compiles, and code it has dropped leaves its
 * line behind; perf names an address by the first line that covers it, so later code at a reused
 * address took an old, wrong name. Only the newest line for each address range is kept.
 */
function newestEntries(mapFile: string): void {
  const entries: { start: number; end: number; line: string }[] = [];
  for (const line of readFileSync(mapFile, 'utf8').split('\n')) {
    const [start, size] = line.split(' ', 2).map((hex) => parseInt(hex, 16));
    if (start === undefined || size === undefined || Number.isNaN(start) || Number.isNaN(size)) continue;
    const end = start + size;
    for (let i = entries.length - 1; i >= 0; i--) {
      const other = entries[i]!;
      if (other.start < end && start < other.end) entries.splice(i, 1);
    }
    entries.push({ start, end, line });
  }
  writeFileSync(mapFile, `${entries.map((e) => e.line).join('\n')}\n`);
}

function jsGroup(frame: string): string {
  if (/node_modules\/undici|wasm/.test(frame)) return 'undici (the MoMo client transport)';
  if (/node_modules\/(express|router|body-parser|helmet|express-rate-limit|finalhandler|cors|accepts|type-is|proxy-addr|negotiator|raw-body|parseurl)\//.test(frame)) return 'Express, its middleware and helpers';
  if (/node_modules\/(zod|libphonenumber-js)\/|src\/web\/fields/.test(frame)) return 'input validation (zod, phone numbers)';
  if (frame.includes('node_modules/')) return 'other packages';
  if (/node:(_http|net|events|stream|internal\/(streams|stream_base|http))/.test(frame)) return "node's HTTP, streams and sockets (JS)";
  if (frame.includes('node:')) return 'node internals other (timers, ticks)';
  if (frame.includes('src/db/')) return 'Sokoni: the store (SQL port, group commit)';
  if (/src\/(web\/|server)/.test(frame)) return 'Sokoni: web (hot routes, answers)';
  if (/src\/(momo|providers)\//.test(frame)) return 'Sokoni: MoMo client and provider';
  if (frame.includes('src/')) return 'Sokoni: engine, worker, checkout, books, log';
  return 'other JS';
}

/** One sample's place: its thread, then its stack from the leaf. */
function category(tid: number, frames: string[]): string {
  const stack = frames.join(' ');
  if (tid !== pid) {
    if (/OptimizingCompile|compiler::/.test(stack)) return 'JIT compiler thread';
    if (/Scaveng|Heap|Marking|Sweep/.test(stack)) return 'GC threads';
    return 'other threads (checkpointer, libuv)';
  }
  if (/sqlite3_step|Statement::JS_/.test(stack) || frames[0]!.startsWith('sqlite3')) return 'SQLite (statements, commits, WAL writes, binding)';
  if (/Scavenge|MarkCompact|Heap::CollectGarbage/.test(stack)) return 'GC on the main thread';
  if (/tcp_|sock_|do_writev|ksys_read|ep_poll|epoll_wait|__sys_accept|inet_/.test(stack)) return 'kernel: sockets (loopback TCP)';
  if (/llhttp|Parser::/.test(frames[0]!)) return "node's HTTP parser (C++)";
  const js = frames.find((frame) => frame.startsWith('JS:'));
  if (js) return jsGroup(js);
  return /^(Builtins_|v8::)/.test(frames[0]!) ? 'V8 runtime without a JS frame' : 'native other';
}

newestEntries(`/tmp/perf-${pid}.map`);
const script = execFileSync('perf', ['script', '-i', flags.data, '-F', 'tid,ip,sym,dso'], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
const counts = new Map<string, number>();
let samples = 0;
for (const block of script.split('\n\n')) {
  const [head, ...lines] = block.split('\n').filter((line) => line.trim() !== '');
  if (head === undefined || lines.length === 0) continue;
  const frames = lines.map((line) => /^\s*[0-9a-f]+ (.*) \(.*\)$/.exec(line)?.[1] ?? '?');
  const name = category(Number(head.trim().split(/\s+/)[0]), frames);
  counts.set(name, (counts.get(name) ?? 0) + 1);
  samples++;
}
const hz = numberArg(COMMAND, 'hz', flags.hz, { above: 0 });
console.log(`${samples} samples (${(samples / hz).toFixed(1)} CPU s at ${hz} Hz)${orders ? `, ${orders} orders` : ''}`);
for (const [name, n] of [...counts].sort((a, b) => b[1] - a[1])) {
  const perOrder = orders ? `  ${((n / hz / orders) * 1000).toFixed(2)} ms/order` : '';
  console.log(`${((100 * n) / samples).toFixed(1).padStart(5)}%  ${name}${perOrder}`);
}
