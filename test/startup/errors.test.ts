// `npm start` with a setting that cannot work: one line on stderr naming the setting to change,
// exit code 1, and no hang (a DATABASE_PATH under /proc used to spin at 100% CPU forever).
import { chmodSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyMigrations, openDatabase } from '../../src/db';
import { freePort, tempDir } from '../checkout/helpers';
import { ROOT, runScript } from '../processes';

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function folder(): string {
  const temp = tempDir();
  cleanups.push(() => temp.remove());
  return temp.dir;
}

// A root test runner writes any file whatever its mode, so read-only cases run Sokoni as nobody.
const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

/** Starts Sokoni and waits for it to give up; a start-up that hangs fails the test here. */
async function failedStart(env: Record<string, string>, options: { uid?: number; gid?: number } = {}) {
  const proc = runScript('src/main.ts', { env: { PORT: String(await freePort()), ACCESS_LOG: 'false', ...env }, ...options });
  const code = await Promise.race([proc.exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 20_000))]);
  await proc.stop();
  const lines = proc.stderr().trim().split('\n');
  return { code, lines, stdout: proc.stdout() };
}

function expectOneLine(result: { code: unknown; lines: string[]; stdout: string }, setting: string, says: RegExp) {
  expect(result.code).toBe(1);
  expect(result.lines).toHaveLength(1);
  expect(result.lines[0]).toMatch(new RegExp(`^${setting}: `));
  expect(result.lines[0]).toMatch(says);
  expect(result.stdout).not.toContain('Sokoni store');
}

describe('start-up errors name the setting to change', () => {
  it('PORT already in use', async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    const result = await failedStart({ PORT: String(port), DATABASE_PATH: join(folder(), 'x.db') }).finally(() => holder.close());
    expectOneLine(result, 'PORT', new RegExp(`port ${port} .*already in use`));
  });

  it('HOST that is not an address of this machine', async () => {
    expectOneLine(await failedStart({ HOST: '203.0.113.7', DATABASE_PATH: join(folder(), 'x.db') }), 'HOST', /203\.0\.113\.7 is not an address of this machine/);
  });

  it('DATABASE_PATH through a file (package.json/x.db)', async () => {
    const result = await failedStart({ DATABASE_PATH: join(ROOT, 'package.json', 'x.db') });
    expectOneLine(result, 'DATABASE_PATH', /package\.json is a file, not a folder/);
  });

  it('DATABASE_PATH under /proc, where a folder cannot be made (it used to hang)', async () => {
    const result = await failedStart({ DATABASE_PATH: '/proc/nope/x.db' });
    expectOneLine(result, 'DATABASE_PATH', /cannot create the folder \/proc\/nope/);
  });

  it('DATABASE_PATH in a read-only folder', async () => {
    const dir = join(folder(), 'locked');
    mkdirSync(dir);
    chmodSync(join(dir, '..'), 0o755);
    chmodSync(dir, 0o555);
    const result = await failedStart({ DATABASE_PATH: join(dir, 'x.db') }, asUser);
    expectOneLine(result, 'DATABASE_PATH', /cannot write the database .*locked\/x\.db/);
  });

  it('DATABASE_PATH a read-only file of a database that is up to date', async () => {
    const dir = folder();
    chmodSync(dir, 0o755);
    const file = join(dir, 'sokoni.db');
    // A store that ran before (migrated, so start-up has nothing to write), then made read-only.
    const db = openDatabase(file);
    applyMigrations(db);
    db.pragma('journal_mode = DELETE');
    db.close();
    chmodSync(file, 0o444);
    const result = await failedStart({ DATABASE_PATH: file }, asUser);
    expectOneLine(result, 'DATABASE_PATH', /read-only/);
  });
});
