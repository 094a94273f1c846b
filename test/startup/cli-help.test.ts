// Every `npm run` command answers --help with its usage (exit 0, doing nothing else) and refuses
// an unknown option with one line on stderr (exit 2). Run as the scripts themselves, in an empty
// folder, with DATABASE_PATH pointing into it so that anything written would show.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../checkout/helpers';
import { runScript } from '../processes';

const temp = tempDir();
afterAll(() => temp.remove());

const COMMANDS: [string, string][] = [
  ['npm start', 'src/main.ts'],
  ['npm run migrate', 'src/db/migrate-cli.ts'],
  ['npm run seed', 'src/db/seed-cli.ts'],
  ['npm run momo:provision', 'src/momo/provision-cli.ts'],
  ['npm run sandbox', 'src/sandbox/main.ts'],
  ['npm run reconcile', 'src/books/reconcile-cli.ts'],
  ['npm run users:create', 'src/accounts/users-cli.ts'],
  ['npm run bench:orders', 'bench/order-list.ts'],
  ['npm run bench', 'bench/bench.ts'],
  ['npm run chaos', 'bench/chaos.ts'],
];

async function run(script: string, args: string[], database: string) {
  const proc = runScript(script, { args, env: { DATABASE_PATH: database, PORT: '0' } });
  const code = await proc.exited;
  await proc.stop();
  return { code, stdout: proc.stdout(), stderr: proc.stderr() };
}

describe.each(COMMANDS)('%s', (name, script) => {
  it('--help prints the usage, exits 0 and does nothing else', async () => {
    const database = join(temp.dir, `${script.replace(/\W/g, '-')}-help.db`);
    const result = await run(script, ['--help'], database);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^usage: ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(result.stderr).toBe('');
    // `npm run seed -- --help` used to seed the database.
    expect(existsSync(database)).toBe(false);
  });

  it('refuses an unknown option with one line and exit code 2', async () => {
    const database = join(temp.dir, `${script.replace(/\W/g, '-')}-bogus.db`);
    const result = await run(script, ['--bogus'], database);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: Unknown option '--bogus'`))]);
    expect(existsSync(database)).toBe(false);
  });
});

describe('bad values', () => {
  it('bench refuses a count that is not a number in one line, before starting anything', async () => {
    const result = await run('bench/bench.ts', ['--orders', 'many'], join(temp.dir, 'bench-orders.db'));
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual(['npm run bench: --orders must be a number above 0, not "many" (npm run bench -- --help shows the usage)']);
  });

  it('chaos refuses a fault rate above 1', async () => {
    const result = await run('bench/chaos.ts', ['--fault-rate', '1.5'], join(temp.dir, 'chaos-rate.db'));
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('--fault-rate is a probability from 0 to 1')]);
  });
});
