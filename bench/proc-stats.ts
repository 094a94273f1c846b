// Memory and CPU of one process, read from /proc (Linux): VmRSS from status, utime + stime
// from stat. Sampled on a timer, so the peak RSS is the peak of the samples.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | null = null;

function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export interface ProcSample {
  rssMb: number;
  cpuSeconds: number;
}

export function readProc(pid: number): ProcSample | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    // The command name (field 2) may contain spaces; the fields we want follow its ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the ')'.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { rssMb: rssKb / 1024, cpuSeconds: ticks / clockTicks() };
  } catch {
    return null;
  }
}

export class ProcWatcher {
  private timer: NodeJS.Timeout;
  private first: ProcSample | null;
  private last: ProcSample | null;
  peakRssMb = 0;

  constructor(private readonly pid: number, intervalMs = 100) {
    this.first = readProc(pid);
    this.last = this.first;
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    const now = readProc(this.pid);
    if (!now) return;
    this.last = now;
    this.peakRssMb = Math.max(this.peakRssMb, now.rssMb);
  }

  /** Stops sampling; CPU seconds are those spent since the watcher started. */
  stop(): { peakRssMb: number; cpuSeconds: number } {
    this.sample();
    clearInterval(this.timer);
    return {
      peakRssMb: this.peakRssMb,
      cpuSeconds: this.last && this.first ? this.last.cpuSeconds - this.first.cpuSeconds : 0,
    };
  }
}

/** utime, stime, cutime and cstime of one process (its reaped children's CPU included), in ticks, with its parent's pid. */
function ticksOf(pid: number): { ppid: number; ticks: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the ')': state, ppid (1), …, utime (11), stime (12), cutime (13), cstime (14).
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]) };
  } catch {
    return null;
  }
}

/**
 * CPU seconds of a process and its children so far: a PostgreSQL server is a postmaster and a
 * backend per connection. Children that have exited count through the parent's cutime/cstime,
 * live ones through their own figures, so the difference of two readings is what the tree spent.
 */
export function treeCpuSeconds(pid: number): number {
  const parent = ticksOf(pid);
  if (parent === null) return 0;
  let ticks = parent.ticks;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = ticksOf(Number(entry));
    if (child?.ppid === pid) ticks += child.ticks;
  }
  return ticks / clockTicks();
}
