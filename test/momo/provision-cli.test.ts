// The provisioning command, run as a child process against a sandbox in this process.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMomoClient } from '../../src/momo';
import { closedPort, startHarness, type Harness } from './helpers';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
  harness.running.sandbox.control.updateSettings({ subscriptionKeys: ['good-collection-key', 'good-disbursement-key'] });
});
afterAll(() => harness.close());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

// Asynchronous on purpose: the sandbox answering the child lives in this process's event loop.
function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: process.cwd(), timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const provisionCli = (args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/momo/provision-cli.ts', ...args]);

function envLines(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describe('npm run momo:provision', () => {
  it('creates an API user and key and prints the .env lines, which then work', async () => {
    const result = await run('npm', ['run', '--silent', 'momo:provision', '--', '--host', 'shop.example', '--primary-key', 'good-collection-key', '--base-url', harness.url]);
    expect(result.stderr).toContain('Paste into .env');
    expect(result.code).toBe(0);
    const env = envLines(result.stdout);
    expect(Object.keys(env).sort()).toEqual(['COLLECTION_API_SECRET', 'COLLECTION_PRIMARY_KEY', 'COLLECTION_USER_ID', 'MOMO_BASE_URL', 'MOMO_TARGET_ENVIRONMENT']);
    expect(env).toMatchObject({ MOMO_BASE_URL: harness.url, MOMO_TARGET_ENVIRONMENT: 'sandbox', COLLECTION_PRIMARY_KEY: 'good-collection-key' });

    const client = createMomoClient({
      baseUrl: env.MOMO_BASE_URL!,
      targetEnvironment: env.MOMO_TARGET_ENVIRONMENT!,
      credentials: { collection: { subscriptionKey: env.COLLECTION_PRIMARY_KEY!, apiUser: env.COLLECTION_USER_ID!, apiKey: env.COLLECTION_API_SECRET! } },
    });
    await expect(client.collection.getBalance()).resolves.toMatchObject({ currency: 'EUR' });
    await expect(client.provisioning('good-collection-key').getApiUser(env.COLLECTION_USER_ID!)).resolves.toEqual({ providerCallbackHost: 'shop.example', targetEnvironment: 'sandbox' });
  });

  it('uses the chosen product’s prefix and cuts a URL to its host', async () => {
    const result = await provisionCli(['--host', 'https://cb.shop.example/momo', '--primary-key', 'good-disbursement-key', '--product', 'disbursement', '--base-url', `${harness.url}/`]);
    expect(result.code).toBe(0);
    const env = envLines(result.stdout);
    expect(env).toMatchObject({ DISBURSEMENT_PRIMARY_KEY: 'good-disbursement-key', MOMO_BASE_URL: harness.url });
    expect(env.DISBURSEMENT_USER_ID).toMatch(/^[0-9a-f-]{36}$/);
    expect(env.DISBURSEMENT_API_SECRET).toEqual(expect.any(String));
    const client = createMomoClient({ baseUrl: harness.url, targetEnvironment: 'sandbox', credentials: {} });
    await expect(client.provisioning('good-disbursement-key').getApiUser(env.DISBURSEMENT_USER_ID!)).resolves.toMatchObject({ providerCallbackHost: 'cb.shop.example' });
  });

  it('exits non-zero with the reason when the key is refused', async () => {
    const result = await provisionCli(['--host', 'shop.example', '--primary-key', 'wrong-key', '--base-url', harness.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/HTTP 401 UNAUTHORIZED: Access denied due to invalid subscription key/);
  });

  it('exits non-zero when nothing answers at the URL', async () => {
    const port = await closedPort();
    const result = await provisionCli(['--host', 'shop.example', '--primary-key', 'good-collection-key', '--base-url', `http://127.0.0.1:${port}`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/NETWORK_ERROR/);
  });

  it('exits non-zero for a URL that is not one', async () => {
    const result = await provisionCli(['--host', 'shop.example', '--primary-key', 'good-collection-key', '--base-url', 'sandbox.local']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/baseUrl/);
  });

  it('exits 2 with usage for missing or unknown options', async () => {
    const missing = await provisionCli(['--primary-key', 'good-collection-key', '--base-url', harness.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--host is required');
    const product = await provisionCli(['--host', 'shop.example', '--primary-key', 'k', '--product', 'payments']);
    expect(product.code).toBe(2);
    expect(product.stderr).toContain('--product must be one of');
  });
});
