// Child processes for the bench and the chaos run: the standalone MoMo sandbox and Sokoni, each
// a plain `node --import tsx` process (not the tsx CLI, which would put a second process in
// between), so the pid we hold is the one whose memory we read and whose life we SIGKILL.
// Every child is registered and killed when this process exits, however it exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSX = import.meta.resolve('tsx');

const live = new Set<ChildProcess>();

function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

export interface Child {
  pid: number;
  url: string;
  /** Resolves once the process has gone, whoever ended it. */
  exited: Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface SpawnOptions {
  /** The script, relative to the repository root. */
  script: string;
  env: Record<string, string>;
  /** Where the child's stdout and stderr go (appended). */
  logFile: string;
  /** Runs here, so a developer's .env in the repository never leaks into a measurement. */
  cwd: string;
  /** Answers once the child is ready to serve. */
  url: string;
  readyPath: string;
  nodeArgs?: string[];
}

/**
 * How long a started (or restarted) process may take to answer. Start-up compiles the sources
 * (tsx) and costs a few CPU seconds; on the 2-core machine under a load average near 20, a chaos
 * restart took more than 30 s to answer, and the run stopped on the harness, not on Sokoni.
 */
const STARTUP_TIMEOUT_MS = 120_000;

async function waitUntilAnswers(url: string, exited: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`process for ${url} exited before answering`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      // Sokoni answers 503 while it provisions its MoMo credentials.
      if (res.status !== 503) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export async function spawnNode(options: SpawnOptions): Promise<Child> {
  const fd = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', TSX, `${ROOT}/${options.script}`], {
    cwd: options.cwd,
    // Only what we pass: PATH and HOME for tooling, nothing else from the caller's environment,
    // and never a .env (src/env-file.ts).
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SOKONI_DOTENV: 'false', ...options.env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  live.add(child);
  let gone = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      gone = true;
      live.delete(child);
      resolve();
    });
  });
  const handle: Child = {
    pid: child.pid!,
    url: options.url,
    exited,
    async kill(signal = 'SIGTERM') {
      if (gone) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitUntilAnswers(`${options.url}${options.readyPath}`, () => gone, STARTUP_TIMEOUT_MS);
  } catch (error) {
    await handle.kill('SIGKILL');
    throw error;
  }
  return handle;
}
