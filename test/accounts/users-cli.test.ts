// npm run users:create, run as a person would (a real process), with the password on stdin, on the
// suite's database. It runs in a temp folder so the checkout's .env is never read.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { tempDir } from '../db/helpers';
import { storeDatabase, type StoreDatabase } from '../db/test-database';

const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const cli = path.join(root, 'src/accounts/users-cli.ts');
const temp = tempDir();
let database: StoreDatabase | undefined;
afterEach(async () => {
  await database?.drop();
  temp.remove();
});

function run(env: Record<string, string>, args: string[], input: string) {
  return spawnSync(tsx, [cli, ...args], { cwd: temp.dir, input, encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
}

it('creates the first owner with the password from stdin, and refuses a short one', async () => {
  database = await storeDatabase(temp.dir);
  const created = run(database.env, ['--email', 'owner@example.com', '--role', 'owner', '--password-stdin'], 'a long enough passphrase\n');
  expect(created.stderr).toBe('');
  expect(created.stdout).toMatch(/Created owner owner@example.com/);
  expect(created.stdout).not.toContain('passphrase');

  const short = run(database.env, ['--email', 'other@example.com', '--role', 'viewer', '--password-stdin'], 'short\n');
  expect(short.status).toBe(1);
  expect(short.stderr).toMatch(/at least 12 characters/);

  const connection = database.connect();
  try {
    expect(await connection.sql.all('SELECT email, role FROM people')).toEqual([{ email: 'owner@example.com', role: 'owner' }]);
    expect(await connection.sql.all('SELECT action, actor_email AS actor, via FROM audit_log')).toEqual([{ action: 'person.create', actor: 'command line', via: 'cli' }]);
  } finally {
    await connection.close();
  }
});
