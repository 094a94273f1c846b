// A throwaway PostgreSQL cluster for the tests: found on this machine, run as an unprivileged
// user when the tests run as root (PostgreSQL refuses to run as root), listening only on a Unix
// socket in its own temporary folder, and gone afterwards.
//
// initdb costs seconds (2.7–4.4 s on the shared 2-core machine), so it runs once per PostgreSQL
// version into a template folder; each run copies the template (28 MB) and starts the server on
// the copy: 0.5–0.75 s of CPU for a start and a stop together, 0.7–1.9 s of wall time, measured
// while the machine's load average was 10 (five engineers' tests at once). A run that dies without its teardown leaves nothing running: the server
// gets SIGQUIT when the process that started it dies (setpriv --pdeathsig), and the next run
// sweeps the folders of runs whose process is gone.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from '../../bench/ports';

export const INSTALL_HINT = 'install it with `apt-get install postgresql` (Debian, Ubuntu)';
const NEEDED = ['initdb', 'pg_ctl', 'postgres'] as const;
const RUN_PREFIX = 'sokoni-pg-run-';
const TEMPLATE_PREFIX = 'sokoni-pg-template-';
const READY = 'database system is ready to accept connections';
// 1 MB WAL segments instead of 16: the template is 24 MB instead of 39, and each run copies it.
const INITDB_OPTIONS = ['-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--wal-segsize=1'];
/** Names the template after its options, so a change of them makes a new one. */
const INITDB_LAYOUT = 'seg1';

export interface Binaries {
  dir: string;
  /** e.g. "15.14", from `postgres --version`. */
  version: string;
}

/** Who the server runs as: this process's user, or `nobody` when this process is root. */
interface RunAs {
  uid: number;
  gid: number;
}

export interface Cluster {
  /** Connection URL for `pg` and libpq: the Unix socket folder as `host`. */
  url: string;
  /** The run's temporary folder: the socket, the data directory (`data/`) and the log live here. */
  dir: string;
  dataDir: string;
  port: number;
  /** Fast shutdown, then the folder is removed. */
  stop(): Promise<void>;
  /** For exit paths that cannot wait: immediate shutdown and removal, synchronously. */
  stopNow(): void;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first folder holding all of initdb, pg_ctl and postgres: PATH first, then Debian's /usr/lib/postgresql/<version>/bin, newest first. */
export function findBinaries(where: { path?: string; debian?: string } = {}): Binaries | null {
  const debian = where.debian ?? '/usr/lib/postgresql';
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
        .map((name) => join(debian, name, 'bin'))
    : [];
  const candidates = [...(where.path ?? process.env.PATH ?? '').split(delimiter).filter(Boolean), ...versions];
  const dir = candidates.find((candidate) => NEEDED.every((name) => executable(join(candidate, name))));
  if (dir === undefined) return null;
  const version = /\(PostgreSQL\) (\S+)/.exec(execFileSync(join(dir, 'postgres'), ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  return { dir, version };
}

function runAs(): RunAs {
  const uid = process.getuid?.() ?? -1;
  if (uid !== 0) return { uid, gid: process.getgid?.() ?? -1 };
  const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find(executable) ?? null;

/**
 * The command line that runs `file` as `user`, and dies with this process: setpriv where it
 * exists (util-linux, on every Debian), else Node's own uid/gid switch without the death signal.
 */
function command(user: RunAs, file: string, args: string[]): { file: string; args: string[]; ids: Partial<RunAs> } {
  const root = process.getuid?.() === 0;
  if (setpriv !== null) {
    const switchUser = root ? [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups'] : [];
    return { file: setpriv, args: [...switchUser, '--pdeathsig=QUIT', file, ...args], ids: {} };
  }
  return { file, args, ids: root ? user : {} };
}

function runSync(user: RunAs, file: string, args: string[]): void {
  const line = command(user, file, args);
  const result = spawnSync(line.file, line.args, { ...line.ids, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (${result.status ?? result.signal ?? result.error?.message}): ${result.stderr}`);
}

function ownFolder(prefix: string, user: RunAs): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (process.getuid?.() === 0) chownSync(dir, user.uid, user.gid);
  return dir;
}

/** A folder in /tmp is trusted only if it is a real folder of the server's user that nobody else can reach into. */
function trusted(dir: string, user: RunAs): boolean {
  try {
    const stat = lstatSync(dir);
    return stat.isDirectory() && stat.uid === user.uid && (stat.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** The initdb'd data directory for this version, made once; made in a scratch folder and renamed, so a half-made one is never used. */
function template(binaries: Binaries, user: RunAs): string {
  const final = join(tmpdir(), `${TEMPLATE_PREFIX}${binaries.version}-${INITDB_LAYOUT}-${user.uid}`);
  if (trusted(final, user) && existsSync(join(final, 'PG_VERSION'))) return final;
  if (existsSync(final) && !trusted(final, user)) throw new Error(`${final} is not a folder of uid ${user.uid} closed to others: remove it`);
  const scratch = ownFolder(`${TEMPLATE_PREFIX}making-`, user);
  const data = join(scratch, 'data');
  try {
    runSync(user, join(binaries.dir, 'initdb'), ['-D', data, ...INITDB_OPTIONS]);
    // A run that made it at the same moment wins; theirs is as good as ours.
    if (!existsSync(final)) renameSync(data, final);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return final;
}

/** The process exists and is not a zombie (an orphan's exit status waits for a pid 1 that may never reap it, in a container). */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/<pid>/stat: "pid (name) state ..."; the name may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return existsSync('/proc/self') ? false : true;
  }
}

/** The server's pid from its postmaster.pid, if it has one. */
export function serverPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Clusters of earlier runs whose process is gone (killed, crashed): their server is stopped and their folder removed. */
export function sweepAbandoned(): string[] {
  const swept: string[] = [];
  for (const name of readdirSync(tmpdir()).filter((entry) => entry.startsWith(RUN_PREFIX))) {
    const dir = join(tmpdir(), name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
    } catch {
      continue;
    }
    if (!Number.isInteger(owner) || running(owner)) continue;
    try {
      const pid = serverPid(join(dir, 'data'));
      if (pid !== null && running(pid)) process.kill(pid, 'SIGQUIT');
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
      swept.push(dir);
    } catch {
      // Another user's run: theirs to sweep.
    }
  }
  return swept;
}

function exited(child: ChildProcess, withinMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), withinMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startCluster(binaries: Binaries): Promise<Cluster> {
  const user = runAs();
  const source = template(binaries, user);
  const dir = ownFolder(RUN_PREFIX, user);
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  const dataDir = join(dir, 'data');
  // -a keeps the template's owner and its 0700 modes, which the server insists on.
  execFileSync('cp', ['-a', source, dataDir]);
  const port = await freePort();
  const line = command(user, join(binaries.dir, 'postgres'), [
    '-D', dataDir,
    '-k', dir,
    '-p', String(port),
    // The socket only: no TCP listener that other users of this machine could reach.
    '-c', 'listen_addresses=',
    // A throwaway cluster has nothing to keep across a crash.
    '-c', 'fsync=off',
    '-c', 'synchronous_commit=off',
    '-c', 'full_page_writes=off',
    '-c', 'max_connections=50',
    // Small shared memory starts faster; the tests' data is tiny.
    '-c', 'shared_buffers=16MB',
    '-c', 'huge_pages=off',
  ]);
  const child = spawn(line.file, line.args, { ...line.ids, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      log += chunk;
      if (log.includes(READY)) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`postgres exited (${code ?? signal}) before it was ready:\n${log}`)));
  }).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  // Keep reading its log, or a chatty server would block on a full pipe.
  child.stderr.resume();

  let stopped = false;
  const remove = () => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
  return {
    url: `postgresql://postgres@localhost:${port}/postgres?host=${encodeURIComponent(dir)}`,
    dir,
    dataDir,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      // SIGINT: fast shutdown (open sessions are ended); SIGKILL if it does not go.
      child.kill('SIGINT');
      if (!(await exited(child, 5_000))) child.kill('SIGKILL');
      await exited(child, 5_000);
      remove();
    },
    stopNow() {
      if (stopped) return;
      stopped = true;
      // SIGQUIT: immediate shutdown, the one that needs no waiting.
      child.kill('SIGQUIT');
      remove();
    },
  };
}
