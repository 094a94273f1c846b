// npm run users:create, run as a person would (a real process), with the password on stdin.
// It runs in a temp folder so the checkout's .env is never read.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openDatabase } from '../../src/db';
import { tempDir } from '../db/helpers';

const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const cli = path.join(root, 'src/accounts/users-cli.ts');
const temp = tempDir();
afterEach(() => temp.remove());

function run(args: string[], input: string) {
  return spawnSync(tsx, [cli, ...args], {
    cwd: temp.dir,
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, DATABASE_PATH: path.join(temp.dir, 'sokoni.db') },
  });
}

it('creates the first owner with the password from stdin, and refuses a short one', () => {
  const created = run(['--email', 'owner@example.com', '--role', 'owner', '--password-stdin'], 'a long enough passphrase\n');
  expect(created.stderr).toBe('');
  expect(created.stdout).toMatch(/Created owner owner@example.com/);
  expect(created.stdout).not.toContain('passphrase');

  const short = run(['--email', 'other@example.com', '--role', 'viewer', '--password-stdin'], 'short\n');
  expect(short.status).toBe(1);
  expect(short.stderr).toMatch(/at least 12 characters/);

  const db = openDatabase(path.join(temp.dir, 'sokoni.db'));
  expect(db.prepare('SELECT email, role FROM people').all()).toEqual([{ email: 'owner@example.com', role: 'owner' }]);
  expect(db.prepare(`SELECT action, actor_email AS actor, via FROM audit_log`).all()).toEqual([{ action: 'person.create', actor: 'command line', via: 'cli' }]);
  db.close();
});
