// Summarises a V8 .cpuprofile (written by `npm run bench -- --cpu-prof`) by self time: per
// function, per file, and per package (node's own code, each npm package, Sokoni's rooms), so
// "where does the CPU per order go" is one command, not an afternoon in a profiler's UI.
//   npx tsx bench/cpu-profile.ts bench/out/<run>/<file>.cpuprofile [--top N]
import { readFileSync } from 'node:fs';
import { numberArg, readArgs, refuse } from '../src/cli-args';

const COMMAND = {
  name: 'tsx bench/cpu-profile.ts',
  usage: `usage: npx tsx bench/cpu-profile.ts FILE.cpuprofile [--top N]

Prints self time by package, by file and by function, largest first.`,
  options: { top: { type: 'string', default: '25' } },
} as const;

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Which package a script belongs to: node's internals, an npm package, or a room of Sokoni's own code. */
function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] === 'internal' ? url.slice(5).split('/')[1] ?? 'internal' : url.slice(5)}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/(src|bench)\/([^/]+)/.exec(url);
  if (own) return `${own[1]}/${own[2]!.replace(/\.ts$/, '')}`;
  return url;
}

function shortFile(url: string): string {
  const at = url.search(/node_modules\/|\/src\/|\/bench\//);
  return at >= 0 ? url.slice(at).replace(/^\//, '') : url || '(native)';
}

function tally(into: Map<string, number>, key: string, us: number): void {
  into.set(key, (into.get(key) ?? 0) + us);
}

function print(title: string, totals: Map<string, number>, all: number, top: number): void {
  console.log(`\n${title}`);
  const rows = [...totals].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [key, us] of rows) console.log(`${((100 * us) / all).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`);
}

const [file, ...rest] = process.argv.slice(2);
const flags = readArgs(COMMAND, file === undefined || file.startsWith('-') ? process.argv.slice(2) : rest);
if (file === undefined || file.startsWith('-')) refuse(COMMAND, 'name the .cpuprofile file first');
const top = numberArg(COMMAND, 'top', flags.top, { above: 0 });
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const byPackage = new Map<string, number>();
const byFile = new Map<string, number>();
const byFunction = new Map<string, number>();
let all = 0;
profile.samples.forEach((id, i) => {
  const us = profile.timeDeltas[i] ?? 0;
  const frame = byId.get(id)?.callFrame;
  if (!frame) return;
  all += us;
  tally(byPackage, packageOf(frame.url, frame.functionName), us);
  tally(byFile, shortFile(frame.url), us);
  tally(byFunction, `${frame.functionName || '(anonymous)'}  ${shortFile(frame.url)}:${frame.lineNumber + 1}`, us);
});
console.log(`${file}: ${(all / 1e6).toFixed(2)} s sampled`);
print('Self time by package', byPackage, all, top);
print('Self time by file', byFile, all, top);
print('Self time by function', byFunction, all, top);
