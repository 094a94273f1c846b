// Two Sokoni instances on one PostgreSQL (issue #17), as behind a proxy: an order placed on one is
// followed to the end by the other's page, although only the first instance's worker moves it.
// The change reaches the second through LISTEN/NOTIFY.
import supertest from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/log';
import { startSandbox, type RunningSandbox } from '../../src/sandbox';
import { startSokoni } from '../../src/server';
import { demoProductId, pay, quickWorker, tempDir, type Store } from '../checkout/helpers';
import { freshPostgres, postgres } from '../db/postgres-helpers';
import { openForm, postForm } from '../web/storefront-helpers';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An instance on the database at `url`, talking to the shared sandbox as a remote MoMo. */
async function instance(url: string, sandbox: RunningSandbox): Promise<Store> {
  const temp = tempDir();
  cleanups.push(temp.remove);
  const collection = sandbox.sandbox.control.provision('localhost');
  const disbursement = sandbox.sandbox.control.provision('localhost');
  const config = loadConfig({
    PORT: '0', DATABASE_URL: url, DATABASE_PATH: `${temp.dir}/unused/sokoni.db`, MOMO_BASE_URL: sandbox.url,
    COLLECTION_PRIMARY_KEY: 'instances-key', COLLECTION_USER_ID: collection.apiUser, COLLECTION_API_SECRET: collection.apiKey,
    DISBURSEMENT_PRIMARY_KEY: 'instances-key', DISBURSEMENT_USER_ID: disbursement.apiUser, DISBURSEMENT_API_SECRET: disbursement.apiKey,
    ...quickWorker,
  });
  const sokoni = await startSokoni(config, { log: silentLogger });
  const store: Store = { sokoni, config, http: supertest(sokoni.url), control: sandbox.sandbox.control, dir: temp.dir, close: () => sokoni.close() };
  cleanups.push(store.close);
  return store;
}

async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(postgres.url === null)('two Sokoni instances on one PostgreSQL', () => {
  it('an order placed on A and moved by A’s worker alone is seen settled by a long-poll on B', async () => {
    const fresh = await freshPostgres();
    cleanups.push(fresh.drop);
    // The payer approves on the handset: nothing moves until the test says so.
    const sandbox = await startSandbox({ approval: 'handset' }, { port: 0 });
    cleanups.push(() => sandbox.close());
    const a = await instance(fresh.url, sandbox);
    const b = await instance(fresh.url, sandbox);
    // B serves pages only: every change to the order is made by A.
    await b.sokoni.checkout.stop();

    const placed = await pay(a, { productId: demoProductId, qty: 1, phone: '+256 772 123456' });
    expect(placed.status).toBe(202);
    const orderId = placed.body.id as string;
    let heardOnB = 0;
    cleanups.push(b.sokoni.checkout.watch(orderId, () => heardOnB++));
    // What the seller portal's live hub and the console hear: every order's changes, by id.
    const heardByAllOnB: string[] = [];
    cleanups.push(b.sokoni.checkout.watchAll((id) => heardByAllOnB.push(id)));
    // Longer than the test may run: it answers early only if B hears that the order is final.
    const longPoll = b.http.get(`/orders/${orderId}`).set('accept', 'application/json').set('prefer', 'wait=60').then((res) => res);
    await until('the payment is waiting for the payer', () => sandbox.sandbox.control.approve(placed.body.payment.referenceId as string, '1234').ok);

    const answer = await longPoll;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: orderId, status: 'settled', payment: { status: 'successful' }, payout: { status: 'successful' } });
    expect(heardOnB).toBeGreaterThan(0);
    expect(new Set(heardByAllOnB)).toEqual(new Set([orderId]));
  });

  it('a form shown by A posts to B: the CSRF key is shared through the database', async () => {
    const fresh = await freshPostgres();
    cleanups.push(fresh.drop);
    const sandbox = await startSandbox({ approval: 'instant' }, { port: 0 });
    cleanups.push(() => sandbox.close());
    const a = await instance(fresh.url, sandbox);
    const b = await instance(fresh.url, sandbox);

    const form = await openForm(a, `/products/${demoProductId}`);
    const posted = await postForm(b, '/pay', form, { _csrf: form.token, productId: demoProductId, qty: '1', phone: '+256 772 123456' });
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toMatch(/^\/orders\//);
  });
});
