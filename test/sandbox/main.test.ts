// `npm run sandbox` (tsx src/sandbox/main.ts) starts, prints its URLs and answers a MoMo client.
import { afterEach, describe, expect, it } from 'vitest';
import { runScript, type Running } from '../processes';
import { call, eventually, provision, token } from './helpers';

let child: Running | null = null;

afterEach(async () => {
  await child?.stop();
  child = null;
});

// In an empty folder of its own: src/sandbox/main.ts reads the .env of its working directory.
function run(env: Record<string, string>): { output: () => string; exited: Promise<number | null> } {
  // In memory: the checkout's ./data/sandbox.db is not the tests' to write.
  const proc = runScript('src/sandbox/main.ts', { env: { SANDBOX_DATABASE_PATH: ':memory:', ...env } });
  child = proc;
  return { output: () => proc.stdout() + proc.stderr(), exited: proc.exited };
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
