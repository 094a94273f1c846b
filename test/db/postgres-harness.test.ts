// The throwaway PostgreSQL that the global setup (test/global/postgres.ts) starts: reachable
// with the pg driver, really the throwaway one, and not left running by a run that crashes.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withoutPostgres } from '../global/postgres';
import { findBinaries, running, serverPid, sweepAbandoned } from '../global/postgres-cluster';
import '../global/postgres-context';

const postgres = inject('postgres');
if (postgres.url === null) console.warn(`PostgreSQL tests skipped: ${postgres.skipped}`);

async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.skipIf(postgres.url === null)('the throwaway PostgreSQL', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: postgres.url! });
    await client.connect();
  });
  afterAll(() => client.end());

  it('answers a round trip through the pg driver', async () => {
    await client.query('CREATE TEMPORARY TABLE harness_check (id integer PRIMARY KEY, amount_minor bigint NOT NULL)');
    await client.query('INSERT INTO harness_check VALUES ($1, $2), ($3, $4)', [1, 1250, 2, 9_007_199_254_740_993n.toString()]);
    const { rows } = await client.query<{ id: number; amount_minor: string }>('SELECT id, amount_minor FROM harness_check ORDER BY id');
    expect(rows).toEqual([
      { id: 1, amount_minor: '1250' },
      { id: 2, amount_minor: '9007199254740993' },
    ]);
  });

  it('is the run’s own cluster: its data directory is in the run’s temporary folder, reached over the folder’s socket', async () => {
    if (postgres.url === null) throw new Error('unreachable');
    const { rows } = await client.query<{ data_directory: string; addr: string | null; version: string }>(
      "SELECT current_setting('data_directory') AS data_directory, inet_server_addr() AS addr, version() AS version",
    );
    expect(rows[0]!.data_directory).toBe(realpathSync(postgres.dataDir));
    expect(realpathSync(postgres.dir).startsWith(realpathSync(tmpdir()))).toBe(true);
    // A Unix socket has no server address.
    expect(rows[0]!.addr).toBeNull();
    expect(rows[0]!.version).toContain(`PostgreSQL ${postgres.version}`);
  });

  it('a run killed outright leaves no server behind, and the next run removes its folder', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../global/cluster-child.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value as string]);
    const started = JSON.parse(line!) as { dir: string; dataDir: string };
    const pid = serverPid(started.dataDir);
    expect(pid !== null && running(pid)).toBe(true);
    child.kill('SIGKILL');
    await until(() => !running(pid!), `the server ${pid} of the killed run stopped`);
    await until(() => child.exitCode !== null || child.signalCode !== null, 'the killed run exited');
    expect(sweepAbandoned()).toContain(started.dir);
    expect(existsSync(started.dir)).toBe(false);
  });
});

describe('finding PostgreSQL', () => {
  it('looks on PATH, then in Debian’s versioned folders, newest first; without them the tests skip saying how to install it, and CI fails', () => {
    const root = mkdtempSync(join(tmpdir(), 'sokoni-pg-find-'));
    try {
      const fake = (dir: string, version: string) => {
        mkdirSync(dir, { recursive: true });
        for (const name of ['initdb', 'pg_ctl', 'postgres']) {
          writeFileSync(join(dir, name), `#!/bin/sh\necho "postgres (PostgreSQL) ${version}"\n`);
          chmodSync(join(dir, name), 0o755);
        }
      };
      fake(join(root, 'debian', '9', 'bin'), '9.6');
      fake(join(root, 'debian', '15', 'bin'), '15.2');
      expect(findBinaries({ path: join(root, 'empty'), debian: join(root, 'debian') })).toEqual({ dir: join(root, 'debian', '15', 'bin'), version: '15.2' });
      fake(join(root, 'on-path'), '16.1');
      expect(findBinaries({ path: join(root, 'on-path'), debian: join(root, 'debian') })?.version).toBe('16.1');
      expect(findBinaries({ path: join(root, 'empty'), debian: join(root, 'nothing') })).toBeNull();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    expect(withoutPostgres({})).toEqual({ url: null, skipped: expect.stringContaining('apt-get install postgresql') });
    expect(() => withoutPostgres({ CI: 'true' })).toThrow(/CI=true requires them: install it with `apt-get install postgresql`/);
  });
});
