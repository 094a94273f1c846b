// A refund survives SIGKILL (issue #14): Sokoni runs as a real child process (`src/main.ts`)
// against a standalone sandbox in this process, and is killed between the request and its
// approval, and between the approval and the send; started again on the same database, exactly
// one refund reaches MoMo.
import supertest from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createAccounts } from '../../src/accounts';
import { DEMO_PRODUCT_IDS } from '../../src/db';
import { startSandbox } from '../../src/sandbox';
import { freePort, tempDir } from '../checkout/helpers';
import { storeDatabase } from '../db/test-database';
import { runScript, type Running } from '../processes';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const sandbox = await startSandbox({ approval: 'instant' }, { port: 0 });
  cleanups.push(() => sandbox.close());
  const temp = tempDir();
  cleanups.push(() => temp.remove());
  const database = await storeDatabase(temp.dir);
  cleanups.push(() => database.drop());
  const collection = sandbox.sandbox.control.provision('localhost');
  const disbursement = sandbox.sandbox.control.provision('localhost');
  const port = await freePort();
  const env = {
    PORT: String(port), ...database.env, MOMO_BASE_URL: sandbox.url,
    COLLECTION_PRIMARY_KEY: 'crash-test-key', COLLECTION_USER_ID: collection.apiUser, COLLECTION_API_SECRET: collection.apiKey,
    DISBURSEMENT_PRIMARY_KEY: 'crash-test-key', DISBURSEMENT_USER_ID: disbursement.apiUser, DISBURSEMENT_API_SECRET: disbursement.apiKey,
    CHECK_FIRST_MS: '50', CHECK_MAX_MS: '200', MOMO_TIMEOUT_MS: '1000', MOMO_STATUS_READS_PER_S: '1000', MOMO_CREATES_PER_S: '1000',
    ACCESS_LOG: 'false',
  };
  const http = supertest(`http://127.0.0.1:${port}`);
  let child: Running | null = null;
  const start = async () => {
    const current = runScript('src/main.ts', { env });
    child = current;
    cleanups.push(() => current.stop());
    const deadline = Date.now() + 20_000;
    while (!(await http.get('/api/products').then((r) => r.status === 200, () => false))) {
      if (Date.now() > deadline || current.child.exitCode !== null) throw new Error(`Sokoni did not start: ${current.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await start();
  // Two operators, each with an API key, written into Sokoni's database as `npm run users:create` would.
  const db = database.connect();
  cleanups.push(() => db.close());
  const accounts = createAccounts({ db: db.sql, owner2fa: false });
  const keys: { authorization: string }[] = [];
  for (const email of ['maker@example.com', 'checker@example.com']) {
    const person = await accounts.createPerson(null, { email, role: 'operator', password: 'a long test passphrase' });
    const ctx = { caller: { personId: person.id, email, role: person.role, via: 'session' as const, mustEnrol: false }, address: null };
    keys.push({ authorization: `Bearer ${(await accounts.createApiKey(ctx, 'crash test')).key}` });
  }
  const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`never reached: ${JSON.stringify(value)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const settledOrder = async () => {
    const placed = await http.post('/pay').set('accept', 'application/json').send({ productId: DEMO_PRODUCT_IDS[0], qty: 1, phone: '256772123456' }).expect(202);
    return until(async () => (await http.get(`/orders/${placed.body.id}`).set('accept', 'application/json')).body as { id: string; status: string; payment: { referenceId: string } }, (o) => o.status === 'settled');
  };
  const refund = (id: string) => until(async () => (await http.get(`/api/refunds/${id}`).set(keys[0]!)).body as { state: string; movement: { referenceId: string } | null }, (r) => ['refunded', 'failed'].includes(r.state));
  const refunds = () => sandbox.sandbox.control.transactions().filter((t) => t.kind === 'refund');
  return { control: sandbox.sandbox.control, http, start, kill: () => child!.stop(), maker: keys[0]!, checker: keys[1]!, settledOrder, refund, refunds };
}

describe('a killed Sokoni and a refund', () => {
  it('killed between the request and its approval: the request waits, and once approved exactly one refund is sent', async () => {
    const s = await setup();
    const order = await s.settledOrder();
    const asked = await s.http.post(`/api/orders/${order.id}/refunds`).set(s.maker).send({ amountMinor: 500, reason: 'crash test' }).expect(202);
    await s.kill();
    await s.start();
    expect((await s.http.get(`/api/refunds/${asked.body.id}`).set(s.maker).expect(200)).body.state).toBe('pending_approval');
    expect(s.refunds()).toHaveLength(0);
    await s.http.post(`/api/refunds/${asked.body.id}/approve`).set(s.checker).send({}).expect(200);
    const done = await s.refund(asked.body.id);
    expect(done.state).toBe('refunded');
    expect(s.refunds()).toMatchObject([{ status: 'SUCCESSFUL', amount: '5.00', referenceId: done.movement!.referenceId, referenceIdToRefund: order.payment.referenceId }]);
  });

  it('killed between the approval and the send: on restart it is sent with its stored reference, once', async () => {
    const s = await setup();
    const order = await s.settledOrder();
    // The refund's create hangs, so the process is certainly mid-send when it is killed.
    const hold = s.control.addFault({ kind: 'timeout', operation: 'disbursement.refundV2', holdMs: 60_000 });
    const asked = await s.http.post(`/api/orders/${order.id}/refunds`).set(s.maker).send({ amountMinor: 1000, reason: 'crash test' }).expect(202);
    const approved = await s.http.post(`/api/refunds/${asked.body.id}/approve`).set(s.checker).send({}).expect(200);
    expect(approved.body.movement).toMatchObject({ status: 'sending' });
    await s.kill();
    s.control.removeFault(hold.id);
    await s.start();
    const done = await s.refund(asked.body.id);
    expect(done.state).toBe('refunded');
    expect(done.movement!.referenceId).toBe(approved.body.movement.referenceId);
    expect(s.refunds()).toMatchObject([{ status: 'SUCCESSFUL', amount: '10.00' }]);
  });
});
