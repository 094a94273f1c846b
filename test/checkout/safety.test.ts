// Nothing lost, nothing paid twice: forged callbacks, repeated idempotency keys, lost answers,
// a payment whose request never left before a crash, and bad input that writes nothing.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { OrderStore } from '../../src/db';
import { connectTo } from '../db/test-database';
import { ADMIN_TOKEN, count, demoProductId, isFinal, pay, sellerWithProduct, startStore, waitForOrder, type Store } from './helpers';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

const shopper = '256772123456';

describe('callbacks are hints, never proof', () => {
  it('a forged SUCCESSFUL callback changes nothing; the real approval still settles the order', async () => {
    // Polling is a minute away, so every status read below was caused by a callback.
    store = await startStore({ SANDBOX_APPROVAL: 'handset', CHECK_FIRST_MS: '60000', CHECK_MAX_MS: '60000' }, { callbacks: true });
    const placed = await pay(store, { productId: demoProductId, qty: 1, phone: shopper });
    const reads = () => store!.control.calls().byOperation['collection.getRequestToPay'] ?? 0;
    expect(reads()).toBe(0);
    const reference = placed.body.payment.referenceId;
    const forged = {
      referenceId: reference, status: 'SUCCESSFUL', amount: String(placed.body.amountMinor / 100),
      currency: 'EUR', financialTransactionId: '123456789', payer: { partyIdType: 'MSISDN', partyId: shopper },
    };
    await store.http.post(`/callback?ref=${reference}`).send(forged).expect(200);
    await store.http.put('/callback').set('content-type', 'text/plain').send(JSON.stringify(forged)).expect(200);
    // The callbacks made the worker read the status at once, and MoMo still says PENDING.
    const deadline = Date.now() + 5000;
    while (reads() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(reads()).toBeGreaterThan(0);
    const order = await waitForOrder(store, placed.body.id, () => true);
    expect(order).toMatchObject({ status: 'pending', payout: null, payment: { status: 'pending' } });
    expect(store.control.transactions({ product: 'disbursement' })).toHaveLength(0);

    store.control.approve(reference, '4321');
    expect((await waitForOrder(store, placed.body.id, isFinal)).status).toBe('settled');
  });

  it('answers 200 for unknown references and garbage bodies', async () => {
    store = await startStore();
    await store.http.post(`/callback?ref=${randomUUID()}`).send({ status: 'SUCCESSFUL' }).expect(200);
    await store.http.post('/callback').set('content-type', 'application/xml').send('<not-json/>').expect(200);
    await store.http.put('/callback').send('').expect(200);
    expect(await count(store, 'movements')).toBe(0);
  });

  it('with CALLBACK_TOKEN set, refuses callbacks without it and puts it in the callback URL', async () => {
    const token = 'callback-token-abcdef123456';
    store = await startStore({ CALLBACK_TOKEN: token, SANDBOX_APPROVAL: 'delay', SANDBOX_APPROVAL_DELAY_MS: '50', CHECK_FIRST_MS: '60000', CHECK_MAX_MS: '60000' }, { callbacks: true });
    await store.http.post(`/callback?ref=${randomUUID()}`).send({}).expect(401);
    await store.http.post(`/callback?ref=${randomUUID()}&token=wrong`).send({}).expect(401);
    await store.http.post(`/callback?ref=${randomUUID()}&token=${token}`).send({}).expect(200);
    const placed = await pay(store, { productId: demoProductId, qty: 1, phone: shopper });
    // Polling is a minute away, so only a callback that passed the token check can settle it.
    const done = await waitForOrder(store, placed.body.id, isFinal);
    expect(done.status).toBe('settled');
  });
});

describe('idempotency', () => {
  it('the same idempotencyKey returns the same order and sends nothing again', async () => {
    store = await startStore({ SANDBOX_APPROVAL: 'handset' });
    const body = { productId: demoProductId, qty: 2, phone: shopper, idempotencyKey: 'basket-42' };
    const first = await pay(store, body);
    const second = await pay(store, body);
    const third = await store.http.post('/pay').set('accept', 'application/json').set('idempotency-key', 'basket-42').send({ ...body, idempotencyKey: undefined });
    expect(second.body.id).toBe(first.body.id);
    expect(third.body.id).toBe(first.body.id);
    expect(await count(store, 'orders')).toBe(1);
    expect(store.control.calls().byOperation['collection.requestToPay']).toBe(1);
  });

  it('the same key with a different basket is refused with 409', async () => {
    store = await startStore({ SANDBOX_APPROVAL: 'handset' });
    await pay(store, { productId: demoProductId, qty: 2, phone: shopper, idempotencyKey: 'basket-43' });
    const other = await pay(store, { productId: demoProductId, qty: 3, phone: shopper, idempotencyKey: 'basket-43' });
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({ code: 'idempotency_key_reused', field: 'idempotencyKey' });
  });

  it('concurrent requests with one key create one order', async () => {
    store = await startStore({ SANDBOX_APPROVAL: 'handset' });
    const body = { productId: demoProductId, qty: 1, phone: shopper, idempotencyKey: 'double-click' };
    const answers = await Promise.all(Array.from({ length: 8 }, () => pay(store!, body)));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(store.control.calls().byOperation['collection.requestToPay']).toBe(1);
  });
});

/** The lease holder of a Sokoni process on this machine that has ended (checkout/index.ts's form). */
function crashedHolder(): string {
  return `${hostname()}:${spawnSync(process.execPath, ['-e', '']).pid}:crashed`;
}

describe('lost answers and unsent requests', () => {
  it('a requesttopay whose answer was lost still yields exactly one transaction', async () => {
    store = await startStore();
    store.control.addFault({ kind: 'lostAnswer', operation: 'collection.requestToPay', count: 1, as: 'drop' });
    const placed = await pay(store, { productId: demoProductId, qty: 1, phone: shopper }, 20);
    expect(placed.body.status).toBe('settled');
    expect(store.control.transactions({ product: 'collection' })).toHaveLength(1);
    expect(store.control.transactions({ product: 'disbursement' })).toHaveLength(1);
  });

  it('a transfer whose answer was lost is paid exactly once', async () => {
    store = await startStore();
    store.control.addFault({ kind: 'lostAnswer', operation: 'disbursement.transfer', count: 2, as: 'error' });
    const placed = await pay(store, { productId: demoProductId, qty: 1, phone: shopper }, 20);
    expect(placed.body.status).toBe('settled');
    expect(store.control.transactions({ product: 'disbursement' })).toHaveLength(1);
  });

  it('status reads failing with 500s and timeouts delay the order but do not lose it', async () => {
    store = await startStore({ MOMO_TIMEOUT_MS: '300' });
    store.control.addFault({ kind: 'error', operation: 'collection.getRequestToPay', count: 3, status: 503 });
    store.control.addFault({ kind: 'timeout', operation: 'disbursement.getTransfer', count: 1, holdMs: 1000 });
    const placed = await pay(store, { productId: demoProductId, qty: 1, phone: shopper }, 20);
    expect(placed.body.status).toBe('settled');
    expect(store.control.transactions({ product: 'disbursement' })).toHaveLength(1);
  });

  it('a payment written but never sent (crash before the request left) is sent on restart with its reference', async () => {
    store = await startStore();
    const { dir, config } = store;
    await store.sokoni.close();
    // Write the order as placeOrder does, then "crash" before the requesttopay goes out.
    const db = connectTo(config);
    const orders = new OrderStore(db.sql);
    const product = (await orders.productForOrder(demoProductId))!;
    const orderId = randomUUID();
    const reference = randomUUID();
    const now = Date.now();
    await orders.createOrderWithPayment({
      id: orderId, idempotencyKey: null, productId: product.id, sellerId: product.sellerId, qty: 1,
      unitPriceMinor: product.priceMinor, amountMinor: product.priceMinor, currency: product.currency,
      sellerShareBps: 8000, sellerAmountMinor: Math.floor(product.priceMinor * 0.8), platformAmountMinor: product.priceMinor - Math.floor(product.priceMinor * 0.8),
      payerMsisdn: shopper,
    }, reference, now, { holder: crashedHolder(), until: now + 60_000 }, 'momo');
    await db.close();

    const { startSokoni } = await import('../../src/server');
    const { silentLogger } = await import('../../src/log');
    const restarted = await startSokoni(config, { log: silentLogger });
    store = { ...store, sokoni: restarted, control: restarted.sandbox!.control, http: (await import('supertest')).default(restarted.url), dir };
    const done = await waitForOrder(store, orderId, isFinal);
    expect(done).toMatchObject({ status: 'settled', payment: { referenceId: reference } });
    expect(store.control.transactions({ product: 'collection' }).map((t) => t.referenceId)).toEqual([reference]);
  });
});

describe('bad input gets a clear error and writes nothing', () => {
  const valid = { productId: demoProductId, qty: 1, phone: shopper };
  const cases: [string, Record<string, unknown>, number, string, string][] = [
    ['missing productId', { qty: 1, phone: shopper }, 400, 'invalid_field', 'productId'],
    ['productId not an id', { ...valid, productId: 'abc' }, 400, 'invalid_field', 'productId'],
    ['unknown product', { ...valid, productId: randomUUID() }, 422, 'product_not_found', 'productId'],
    ['qty zero', { ...valid, qty: 0 }, 400, 'invalid_field', 'qty'],
    ['qty above 100', { ...valid, qty: 101 }, 400, 'invalid_field', 'qty'],
    ['qty a fraction', { ...valid, qty: 2.5 }, 400, 'invalid_field', 'qty'],
    ['qty text', { ...valid, qty: 'two' }, 400, 'invalid_field', 'qty'],
    ['phone missing', { productId: demoProductId, qty: 1 }, 400, 'invalid_field', 'phone'],
    ['phone with a leading 0', { ...valid, phone: '0772123456' }, 400, 'invalid_field', 'phone'],
    ['phone with letters', { ...valid, phone: '25677abc456' }, 400, 'invalid_field', 'phone'],
    ['phone too short', { ...valid, phone: '25677' }, 400, 'invalid_field', 'phone'],
    ['idempotencyKey with spaces', { ...valid, idempotencyKey: 'a b' }, 400, 'invalid_field', 'idempotencyKey'],
  ];

  it.each(cases)('%s', async (_name, body, status, code, field) => {
    store ??= await startStore();
    const before = [await count(store, 'orders'), await count(store, 'movements')];
    const answer = await pay(store, body);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toMatchObject({ code, field });
    expect(answer.body.error.message).toEqual(expect.any(String));
    expect([await count(store, 'orders'), await count(store, 'movements')]).toEqual(before);
    expect(store.control.calls().byOperation['collection.requestToPay'] ?? 0).toBe(0);
  });

  it('an inactive product, an amount beyond the currency limit, and malformed JSON', async () => {
    store = await startStore();
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const { productId } = await sellerWithProduct(store, '256772000666', 60_000_00);
    const over = await pay(store, { productId, qty: 100, phone: shopper });
    expect(over.status).toBe(422);
    expect(over.body.error).toMatchObject({ code: 'amount_out_of_range', field: 'qty' });
    await store.http.get(`/api/products/${productId}`).expect(200);
    // Admin bodies are strict: only the fields to change, not the GET answer sent back.
    await store.http.patch(`/api/products/${productId}`).set(auth).send({ active: false }).expect(200);
    const inactive = await pay(store, { productId, qty: 1, phone: shopper });
    expect(inactive.status).toBe(422);
    expect(inactive.body.error).toMatchObject({ code: 'product_inactive', field: 'productId' });
    // An active product of a deactivated seller is not for sale either, and nothing is written.
    const other = await sellerWithProduct(store, '256772000667');
    await store.http.patch(`/api/sellers/${other.sellerId}`).set(auth).send({ active: false }).expect(200);
    const before = await count(store, 'orders');
    const sellerGone = await pay(store, { productId: other.productId, qty: 1, phone: shopper });
    expect(sellerGone.status).toBe(422);
    expect(sellerGone.body.error).toMatchObject({ code: 'product_inactive', field: 'productId' });
    expect(await count(store, 'orders')).toBe(before);
    const malformed = await store.http.post('/pay').set('content-type', 'application/json').send('{"productId":');
    expect(malformed.status).toBe(400);
    expect(await count(store, 'orders')).toBe(0);
  });
});

describe('/balance and order lookups', () => {
  it('/balance needs the admin token and answers both accounts', async () => {
    store = await startStore();
    await store.http.get('/balance').expect(401);
    await store.http.get('/balance').set('authorization', 'Bearer wrong-token-wrong-token').expect(401);
    const ok = await store.http.get('/balance').set('authorization', `Bearer ${ADMIN_TOKEN}`).expect(200);
    expect(ok.body).toEqual({
      collection: { availableBalance: expect.any(String), currency: 'EUR' },
      disbursement: { availableBalance: expect.any(String), currency: 'EUR' },
    });
  });

  it('/balance is disabled with a clear message when ADMIN_TOKEN is unset', async () => {
    store = await startStore({ ADMIN_TOKEN: '' });
    const answer = await store.http.get('/balance').expect(503);
    expect(answer.body.error.code).toBe('admin_disabled');
  });

  it('unknown and malformed order ids are 404', async () => {
    store = await startStore();
    await store.http.get(`/orders/${randomUUID()}`).set('accept', 'application/json').expect(404);
    await store.http.get('/orders/not-an-id').set('accept', 'application/json').expect(404);
  });

  it('a form post answers 303 to the order page', async () => {
    store = await startStore({ SANDBOX_APPROVAL: 'handset' });
    // Form posts carry the CSRF token of the product page's form, with its cookie.
    const form = await store.http.get(`/products/${demoProductId}`).expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
    const answer = await store.http.post('/pay').set('cookie', form.headers['set-cookie']!).type('form').set('accept', 'text/html')
      .send({ _csrf: csrf, productId: demoProductId, qty: '1', phone: shopper });
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toMatch(/^\/orders\/[0-9a-f-]{36}$/);
  });
});
