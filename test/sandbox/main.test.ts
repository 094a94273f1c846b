// `npm run sandbox` (tsx src/sandbox/main.ts) starts, prints its URLs and answers a MoMo client.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { call, eventually, provision, token } from './helpers';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
let child: ChildProcess | null = null;

afterEach(() => {
  child?.kill('SIGTERM');
  child = null;
});

function run(env: Record<string, string>): { output: () => string; exited: Promise<number | null> } {
  let output = '';
  // In memory: the checkout's ./data/sandbox.db is not the tests' to write.
  child = spawn(tsx, ['src/sandbox/main.ts'], { cwd: root, env: { ...process.env, SANDBOX_DATABASE_PATH: ':memory:', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  return { output: () => output, exited };
}

describe('npm run sandbox', () => {
  it('prints the base and handset URLs and answers a MoMo client', async () => {
    const proc = run({ SANDBOX_PORT: '0', SANDBOX_APPROVAL: 'instant' });
    const url = await eventually(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(proc.output())?.[1], 20_000);
    // The lines after the first may arrive in a later chunk of stdout.
    const handset = await eventually(() => /handset: (\S+)/.exec(proc.output())?.[1], 5_000);
    expect(handset).toBe(`${url}/handset`);
    const answer = await eventually(() => call(url, 'POST', '/collection/token/').then((a) => a, () => undefined), 5_000);
    expect(answer.status).toBe(401);
    const { apiUser, apiKey } = await provision(url);
    expect((await token(url, 'collection', apiUser, apiKey)).status).toBe(200);
  });

  it('prints a configuration error and exits 1', async () => {
    const proc = run({ SANDBOX_PORT: '0', SANDBOX_APPROVAL: 'sometimes' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain('SANDBOX_APPROVAL');
  });
});
