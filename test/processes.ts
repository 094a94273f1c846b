// Sokoni's commands as real child processes, the way `npm start` or `npm run seed` runs them,
// but never with the developer's `.env`: each runs in a folder of the test's choosing (a fresh
// empty one unless the test names another, whose `.env` is the one that would be read), with
// SOKONI_DOTENV=false and only the environment the test gives it.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
// By absolute URL: the child's working directory has no node_modules.
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

export interface RunOptions {
  /** Arguments after the script, as after `npm run x --`. */
  args?: string[];
  env?: Record<string, string>;
  /** The working directory, the folder whose `.env` would be read. Default: a new empty folder. */
  cwd?: string;
  /** Run as this user (a root test runner cannot otherwise meet a read-only file). */
  uid?: number;
  gid?: number;
}

export interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when ended by a signal). */
  exited: Promise<number | null>;
  /** Resolves once `pattern` shows on stdout or stderr; rejects if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** SIGKILLs it if still running, waits for it, and removes the folder made for it. */
  stop(): Promise<void>;
}

/** Starts `script` (relative to the repository, e.g. `src/main.ts`) under node with tsx. */
export function runScript(script: string, options: RunOptions = {}): Running {
  const ownDir = options.cwd ? null : mkdtempSync(join(tmpdir(), 'sokoni-cwd-'));
  // Another user must be able to enter it.
  if (ownDir && options.uid !== undefined) chmodSync(ownDir, 0o755);
  const cwd = options.cwd ?? ownDir!;
  const child = spawn(process.execPath, ['--import', TSX, join(ROOT, script), ...(options.args ?? [])], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: options.uid === undefined ? (process.env.HOME ?? cwd) : cwd,
      NODE_ENV: 'test',
      SOKONI_DOTENV: 'false',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));

  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async waitFor(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(stdout) ?? pattern.exec(stderr);
        if (match) return match;
        if (done) throw new Error(`${script} exited before printing ${pattern}:\n${stdout}${stderr}`);
        if (Date.now() > deadline) throw new Error(`${script} did not print ${pattern} within ${timeoutMs} ms:\n${stdout}${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}
