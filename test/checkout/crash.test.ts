// Sokoni killed with SIGKILL mid-order and started again on the same database: the order must
// settle with exactly one payout. Sokoni runs as a real child process (`src/main.ts`, as
// `npm start` does) against a standalone sandbox in this process, which survives the kills.
import supertest from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PRODUCT_IDS } from '../../src/db';
import { startSandbox } from '../../src/sandbox';
import { storeDatabase } from '../db/test-database';
import { runScript, type Running } from '../processes';
import { freePort, tempDir } from './helpers';

const shopper = '256772123456';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(overrides: Record<string, string> = {}) {
  const sandbox = await startSandbox({ approval: 'handset' }, { port: 0 });
  cleanups.push(() => sandbox.close());
  const temp = tempDir();
  cleanups.push(() => temp.remove());
  const database = await storeDatabase(temp.dir);
  cleanups.push(() => database.drop());
  const collection = sandbox.sandbox.control.provision('localhost');
  const disbursement = sandbox.sandbox.control.provision('localhost');
  const port = await freePort();
  const env = {
    PORT: String(port),
    ...database.env,
    MOMO_BASE_URL: sandbox.url,
    COLLECTION_PRIMARY_KEY: 'crash-test-key',
    COLLECTION_USER_ID: collection.apiUser,
    COLLECTION_API_SECRET: collection.apiKey,
    DISBURSEMENT_PRIMARY_KEY: 'crash-test-key',
    DISBURSEMENT_USER_ID: disbursement.apiUser,
    DISBURSEMENT_API_SECRET: disbursement.apiKey,
    CHECK_FIRST_MS: '50',
    CHECK_MAX_MS: '200',
    MOMO_TIMEOUT_MS: '1000',
    MOMO_STATUS_READS_PER_S: '1000',
    MOMO_CREATES_PER_S: '1000',
    ACCESS_LOG: 'false',
    ...overrides,
  };
  const http = supertest(`http://127.0.0.1:${port}`);
  let child: Running | null = null;

  const start = async () => {
    // In a folder of its own (runScript's default), so a developer's .env is never read.
    const current = runScript('src/main.ts', { env });
    child = current;
    cleanups.push(() => current.stop());
    const deadline = Date.now() + 20_000;
    for (;;) {
      const up = await http.get('/api/products').then((r) => r.status === 200, () => false);
      if (up) return;
      if (Date.now() > deadline || current.child.exitCode !== null) throw new Error(`Sokoni did not start: ${current.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const kill = () => child!.stop();
  const order = async (id: string) => (await http.get(`/orders/${id}`).set('accept', 'application/json').set('prefer', 'wait=1').expect(200)).body;
  const untilStatus = async (id: string, statuses: string[]) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const o = await order(id);
      if (statuses.includes(o.status)) return o;
      if (Date.now() > deadline) throw new Error(`order stuck at ${JSON.stringify(o)}`);
    }
  };
  return { sandbox: sandbox.sandbox.control, http, start, kill, untilStatus };
}

describe('a killed Sokoni resumes on the same database', () => {
  it('killed while the payer has not yet approved; approved while it was down; settles once on restart', async () => {
    const s = await setup();
    await s.start();
    const placed = await s.http.post('/pay').set('accept', 'application/json').send({ productId: DEMO_PRODUCT_IDS[0], qty: 2, phone: shopper });
    expect(placed.status).toBe(202);
    await s.kill();

    expect(s.sandbox.approve(placed.body.payment.referenceId, '1234').ok).toBe(true);
    await s.start();
    const done = await s.untilStatus(placed.body.id, ['settled', 'failed', 'payout_failed']);
    expect(done.status).toBe('settled');
    const transfers = s.sandbox.transactions({ product: 'disbursement' });
    expect(transfers).toHaveLength(1);
    expect(transfers[0]).toMatchObject({ status: 'SUCCESSFUL', referenceId: done.payout.referenceId });
  });

  it('killed while the transfer was in flight; settles with exactly one transfer on restart', async () => {
    const s = await setup();
    s.sandbox.updateSettings({ approval: 'instant' });
    // Every transfer hangs, so the process is certainly mid-transfer when it is killed.
    const hold = s.sandbox.addFault({ kind: 'timeout', operation: 'disbursement.transfer', holdMs: 60_000 });
    await s.start();
    const placed = await s.http.post('/pay').set('accept', 'application/json').send({ productId: DEMO_PRODUCT_IDS[1], qty: 1, phone: shopper });
    const paid = await s.untilStatus(placed.body.id, ['paid']);
    expect(paid.payout.status).toBe('sending');
    await s.kill();

    s.sandbox.removeFault(hold.id);
    await s.start();
    const done = await s.untilStatus(placed.body.id, ['settled', 'failed', 'payout_failed']);
    expect(done.status).toBe('settled');
    expect(done.payout.referenceId).toBe(paid.payout.referenceId);
    const transfers = s.sandbox.transactions({ product: 'disbursement' });
    expect(transfers).toHaveLength(1);
    expect(transfers[0]!.status).toBe('SUCCESSFUL');
  });

  it('killed after MoMo created the transfer but before its answer arrived; follows it on restart without sending again', async () => {
    const s = await setup({ MOMO_TIMEOUT_MS: '10000' });
    s.sandbox.updateSettings({ approval: 'instant' });
    // The first transfer is created after 3 s and its answer dropped; the client's resend waits
    // 3 s more. In between, MoMo has the transfer and Sokoni does not know: that is when it dies.
    const slow = s.sandbox.addFault({ kind: 'latency', operation: 'disbursement.transfer', latencyMs: 3000 });
    s.sandbox.addFault({ kind: 'lostAnswer', operation: 'disbursement.transfer', count: 1, as: 'drop' });
    await s.start();
    const placed = await s.http.post('/pay').set('accept', 'application/json').send({ productId: DEMO_PRODUCT_IDS[2], qty: 1, phone: shopper });
    const deadline = Date.now() + 10_000;
    while (s.sandbox.transactions({ product: 'disbursement' }).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const created = s.sandbox.transactions({ product: 'disbursement' });
    expect(created).toHaveLength(1);
    await s.kill();

    s.sandbox.removeFault(slow.id);
    const transferCalls = () => s.sandbox.calls().byOperation['disbursement.transfer'] ?? 0;
    const callsBeforeRestart = transferCalls();
    await s.start();
    const done = await s.untilStatus(placed.body.id, ['settled', 'failed', 'payout_failed']);
    expect(done.status).toBe('settled');
    expect(done.payout.referenceId).toBe(created[0]!.referenceId);
    expect(transferCalls()).toBe(callsBeforeRestart);
    expect(s.sandbox.transactions({ product: 'disbursement' })).toHaveLength(1);
  });
});
