// The whole store on its embedded sandbox (handset mode), SIGKILLed while the shopper has not yet
// approved and started again on the same files: the embedded sandbox remembers the payment (#9),
// the prompt is still on the handset, and approving it there settles the order.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import supertest from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PRODUCT_IDS } from '../../src/db';
import { storeDatabase } from '../db/test-database';
import { freePort, tempDir } from './helpers';

const root = new URL('../..', import.meta.url).pathname;
const shopper = '256772654321';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the embedded sandbox across a restart of the store', () => {
  it('keeps the waiting payment on the handset; approved after the restart, the order settles', async () => {
    const temp = tempDir();
    cleanups.push(() => temp.remove());
    const database = await storeDatabase(temp.dir);
    cleanups.push(() => database.drop());
    // The same port after the restart, so the callback URL the payment carries still reaches the store.
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      // The checkout's own .env is the developer's, never the test's.
      SOKONI_DOTENV: 'false',
      PORT: String(port),
      ...database.env,
      SANDBOX_APPROVAL: 'handset',
      CHECK_FIRST_MS: '50',
      CHECK_MAX_MS: '200',
      MOMO_TIMEOUT_MS: '2000',
      ACCESS_LOG: 'false',
    };
    const http = supertest(`http://127.0.0.1:${port}`);
    let child: ChildProcess | null = null;
    const start = async () => {
      const current = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
      child = current;
      cleanups.push(() => current.kill('SIGKILL'));
      const deadline = Date.now() + 20_000;
      while (!(await http.get('/api/products').then((r) => r.status === 200, () => false))) {
        if (Date.now() > deadline || current.exitCode !== null) throw new Error('Sokoni did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const pending = async () => (await http.get(`/sandbox/handset/api/pending?msisdn=${shopper}`).expect(200)).body.requests as { referenceId: string }[];

    await start();
    const placed = await http.post('/pay').set('accept', 'application/json').send({ productId: DEMO_PRODUCT_IDS[0], qty: 1, phone: shopper });
    expect(placed.status).toBe(202);
    const referenceId = placed.body.payment.referenceId as string;
    expect((await pending()).map((r) => r.referenceId)).toEqual([referenceId]);
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child!.kill('SIGKILL');
    await exited;
    expect(existsSync(join(temp.dir, 'sandbox.db'))).toBe(true);

    await start();
    expect((await pending()).map((r) => r.referenceId)).toEqual([referenceId]);
    const approved = await http.post(`/sandbox/handset/api/requests/${referenceId}/approve`).send({ pin: '1234' });
    expect(approved.body).toMatchObject({ referenceId, status: 'SUCCESSFUL' });
    const deadline = Date.now() + 20_000;
    let order;
    do {
      order = (await http.get(`/orders/${placed.body.id}`).set('accept', 'application/json').set('prefer', 'wait=1').expect(200)).body;
    } while (!['settled', 'failed', 'payout_failed'].includes(order.status) && Date.now() < deadline);
    expect(order.status).toBe('settled');
    // The payment approved on the handset is the one placed before the kill: nothing was sent again.
    expect(order.payment.referenceId).toBe(referenceId);
  }, 90_000);
});
