// A sandbox that remembers (#9): its state lives in SQLite, so a sandbox started again on the same
// file (after a SIGKILL too) still knows its API users, keys, tokens, transactions, balances,
// handset prompts, clock offset and what it still owes: deadlines and callbacks are re-armed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningSandbox, SandboxOptions } from '../../src/sandbox';
import { call, client, eventually, listener, payment, provision, SUBSCRIPTION_KEY, token, transferBody, withSandbox } from './helpers';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-db-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'sandbox.db');
}

async function open(databasePath: string, options: SandboxOptions = {}): Promise<RunningSandbox> {
  const sb = await withSandbox({ databasePath, ...options });
  cleanups.push(() => sb.close());
  return sb;
}

describe('the standalone sandbox, SIGKILLed and started again on the same file', () => {
  function run(databasePath: string): { child: ChildProcess; url: Promise<string> } {
    // SOKONI_DOTENV: the checkout's own .env is the developer's, never the test's.
    const env = { PATH: process.env.PATH ?? '', SOKONI_DOTENV: 'false', SANDBOX_PORT: '0', SANDBOX_APPROVAL: 'handset', SANDBOX_DATABASE_PATH: databasePath };
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => child.kill('SIGKILL'));
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    return { child, url: eventually(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1], 20_000) };
  }

  it('keeps the API key, the token and the prompt on the handset, which can then be approved', async () => {
    const file = tempFile();
    const first = run(file);
    let url = await first.url;
    const { apiUser, apiKey } = await provision(url);
    const issued = (await token(url, 'collection', apiUser, apiKey)).body.access_token as string;
    const headers = (bearer: string, extra: Record<string, string> = {}) => ({ 'Ocp-Apim-Subscription-Key': SUBSCRIPTION_KEY, Authorization: `Bearer ${bearer}`, 'X-Target-Environment': 'sandbox', ...extra });
    const referenceId = crypto.randomUUID();
    const created = await call(url, 'POST', '/collection/v1_0/requesttopay', { headers: headers(issued, { 'X-Reference-Id': referenceId }), body: payment('256779000001', { amount: '25' }) });
    expect(created.status).toBe(202);
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;

    url = await run(file).url;
    const again = await token(url, 'collection', apiUser, apiKey);
    expect(again.status).toBe(200);
    // A token issued before the restart is still good until it expires, as MTN's are.
    expect((await call(url, 'GET', `/collection/v1_0/requesttopay/${referenceId}`, { headers: headers(issued) })).body.status).toBe('PENDING');
    const pending = await call(url, 'GET', '/handset/api/pending?msisdn=256779000001');
    expect(pending.body.requests).toEqual([expect.objectContaining({ referenceId, amount: '25', currency: 'EUR' })]);
    const approved = await call(url, 'POST', `/handset/api/requests/${referenceId}/approve`, { body: { pin: '1234' } });
    expect(approved.body).toMatchObject({ referenceId, status: 'SUCCESSFUL' });
    const read = await call(url, 'GET', `/collection/v1_0/requesttopay/${referenceId}`, { headers: headers(again.body.access_token) });
    expect(read.body).toMatchObject({ status: 'SUCCESSFUL', amount: '25', financialTransactionId: expect.any(String) });
  }, 60_000);
});

describe('a sandbox started again on the same file', () => {
  it('keeps transactions, balances, delivery notifications and the clock offset', async () => {
    const file = tempFile();
    const first = await open(file);
    const c = await client(first.url);
    const paid = await c.create('collection', '/v1_0/requesttopay', payment('256779000002', { amount: '7.50' }));
    const sent = await c.create('disbursement', '/v1_0/transfer', transferBody('256779000003', { amount: '2' }));
    await c.post('collection', `/v1_0/requesttopay/${paid.referenceId}/deliverynotification`, { notificationMessage: 'Thanks' });
    first.sandbox.control.advanceClock(5_000);
    const before = { balances: first.sandbox.control.balances(), paid: first.sandbox.control.transaction(paid.referenceId) };
    await first.close();

    const second = await open(file);
    expect(second.sandbox.control.clock().offsetMs).toBe(5_000);
    expect(second.sandbox.control.balances()).toEqual(before.balances);
    expect(second.sandbox.control.transaction(paid.referenceId)).toEqual(before.paid);
    expect(second.sandbox.control.transaction(sent.referenceId)!.status).toBe('SUCCESSFUL');
    const c2 = await client(second.url);
    // The second delivery notification for the same payment is still refused.
    expect((await c2.post('collection', `/v1_0/requesttopay/${paid.referenceId}/deliverynotification`, { notificationMessage: 'Again' })).status).toBe(429);
    expect((await c2.create('collection', '/v1_0/requesttopay', payment('256779000002'), { 'X-Reference-Id': paid.referenceId })).status).toBe(409);
    // A reset is remembered too.
    second.sandbox.control.reset();
    await second.close();
    const third = await open(file);
    expect(third.sandbox.control.transactions()).toEqual([]);
    expect(third.sandbox.control.clock().offsetMs).toBe(0);
  });

  it('re-arms handset timeouts and delays from their stored due times', async () => {
    const file = tempFile();
    const first = await open(file, { approval: 'handset' });
    const c = await client(first.url);
    const waiting = await c.create('collection', '/v1_0/requesttopay', payment('256779000004'));
    first.sandbox.control.updateSettings({ approval: 'delay', approvalDelayMs: 60_000 });
    const delayed = await c.create('collection', '/v1_0/requesttopay', payment('256779000005'));
    await first.close();

    const second = await open(file, { approval: 'handset' });
    expect(second.sandbox.control.pending('256779000004').map((r) => r.referenceId)).toEqual([waiting.referenceId]);
    second.sandbox.control.advanceClock(60_000);
    expect(second.sandbox.control.transaction(delayed.referenceId)!.status).toBe('SUCCESSFUL');
    expect(second.sandbox.control.transaction(waiting.referenceId)!.status).toBe('PENDING');
    second.sandbox.control.advanceClock(240_000);
    expect(second.sandbox.control.transaction(waiting.referenceId)).toMatchObject({ status: 'FAILED', reason: 'COULD_NOT_PERFORM_TRANSACTION' });
    expect(second.sandbox.control.pending('256779000004')).toEqual([]);
  });

  it('sends again a callback that was not delivered before the restart', async () => {
    const file = tempFile();
    const hook = await listener((n) => (n === 1 ? 500 : 200));
    cleanups.push(() => hook.close());
    const first = await open(file, { callbackRetries: true });
    const c = await client(first.url);
    const paid = await c.create('collection', '/v1_0/requesttopay', payment('256779000006'), { 'X-Callback-Url': `${hook.url}/momo` });
    await eventually(() => (first.sandbox.control.transaction(paid.referenceId)!.callback!.lastStatus === 500 ? true : undefined));
    // Closed before the retry, a second later, is due.
    await first.close();
    expect(hook.received).toHaveLength(1);

    const second = await open(file, { callbackRetries: true });
    const retried = await eventually(() => hook.received[1]);
    expect(retried.body).toMatchObject({ status: 'SUCCESSFUL', payer: { partyIdType: 'MSISDN', partyId: '256779000006' } });
    await eventually(() => (second.sandbox.control.transaction(paid.referenceId)!.callback!.delivered ? true : undefined));
    expect(second.sandbox.control.transaction(paid.referenceId)!.callback).toMatchObject({ attempts: 2, delivered: true, dueAt: null });
  });

  it('forgets everything with :memory:, and refuses to change its file at run time', async () => {
    const first = await open(':memory:');
    const { apiUser, apiKey } = await provision(first.url);
    expect((await token(first.url, 'collection', apiUser, apiKey)).status).toBe(200);
    expect(first.sandbox.control.updateSettings({ databasePath: ':memory:' }).databasePath).toBe(':memory:');
    expect(() => first.sandbox.control.updateSettings({ databasePath: tempFile() })).toThrow(/databasePath/);
    await first.close();
    const second = await open(':memory:');
    expect((await token(second.url, 'collection', apiUser, apiKey)).body).toEqual({ error: 'login_failed' });
  });
});
