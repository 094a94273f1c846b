import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox';
import { client, payment, withSandbox, type Client } from './helpers';

let sb: RunningSandbox;
let c: Client;
beforeAll(async () => {
  sb = await withSandbox();
  c = await client(sb.url);
});
afterAll(() => sb.close());
beforeEach(() => sb.sandbox.control.reset());

describe('requesttopay', () => {
  it('answers 202 with an empty body and reads back SUCCESSFUL with the echoed fields', async () => {
    const created = await c.create('collection', '/v1_0/requesttopay', payment('256771000001', { amount: '12.50' }));
    expect(created.status).toBe(202);
    expect(created.text).toBe('');
    const got = await c.get('collection', `/v1_0/requesttopay/${created.referenceId}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      financialTransactionId: expect.stringMatching(/^\d{10}$/),
      externalId: 'order-1',
      amount: '12.50',
      currency: 'EUR',
      payer: { partyIdType: 'MSISDN', partyId: '256771000001' },
      payerMessage: 'Pay for order',
      payeeNote: 'Order 1',
      status: 'SUCCESSFUL',
    });
  });

  it('takes amount and externalId sent as numbers and answers strings', async () => {
    const created = await c.create('collection', '/v1_0/requesttopay', payment('256771000002', { amount: 15, externalId: 123456 }));
    expect(created.status).toBe(202);
    const got = await c.get('collection', `/v1_0/requesttopay/${created.referenceId}`);
    expect(got.body.amount).toBe('15');
    expect(got.body.externalId).toBe('123456');
  });

  it('moves the money from the payer to the collection account', async () => {
    await c.create('collection', '/v1_0/requesttopay', payment('256771000003', { amount: '40' }));
    await c.create('collection', '/v1_0/requesttopay', payment('256771000004', { amount: '2.5' }));
    const balance = await c.get('collection', '/v1_0/account/balance');
    expect(balance.body).toEqual({ availableBalance: '42.5', currency: 'EUR' });
    expect((await c.get('collection', '/v1_0/account/balance/EUR')).body).toEqual({ availableBalance: '42.5', currency: 'EUR' });
    const wallets = sb.sandbox.control.balances();
    expect(wallets.customers['256771000003']).toEqual({ EUR: '99960.00' });
    expect(wallets.accounts.collection).toEqual({ EUR: '42.50' });
  });

  it('fails with NOT_ENOUGH_FUNDS when the payer cannot cover it', async () => {
    sb.sandbox.control.setBalance({ customer: '256771000005' }, 'EUR', '5');
    const created = await c.create('collection', '/v1_0/requesttopay', payment('256771000005', { amount: '6' }));
    const got = await c.get('collection', `/v1_0/requesttopay/${created.referenceId}`);
    expect(got.body).toMatchObject({ status: 'FAILED', reason: 'NOT_ENOUGH_FUNDS' });
    expect(got.body.financialTransactionId).toBeUndefined();
  });

  it('sends reason as {code, message} when reasonShape is object', async () => {
    sb.sandbox.control.updateSettings({ reasonShape: 'object' });
    try {
      const created = await c.create('collection', '/v1_0/requesttopay', payment('46733123451'));
      const got = await c.get('collection', `/v1_0/requesttopay/${created.referenceId}`);
      expect(got.body.reason).toEqual({ code: 'APPROVAL_REJECTED', message: expect.any(String) });
    } finally {
      sb.sandbox.control.updateSettings({ reasonShape: 'string' });
    }
  });
});

describe('validation of creating calls', () => {
  const rtp = (body: unknown, headers: Record<string, string> = {}) => c.post('collection', '/v1_0/requesttopay', body, { 'X-Reference-Id': randomUUID(), ...headers });

  it('refuses a missing or non-v4 X-Reference-Id with 400', async () => {
    expect((await c.post('collection', '/v1_0/requesttopay', payment('256771000010'))).status).toBe(400);
    expect((await rtp(payment('256771000010'), { 'X-Reference-Id': 'abc' })).status).toBe(400);
    expect((await rtp(payment('256771000010'), { 'X-Reference-Id': '6fa459ea-ee8a-3ca4-894e-db77e160355e' })).status).toBe(400);
  });

  it('answers a duplicate reference id with 409, across operations too', async () => {
    const first = await c.create('collection', '/v1_0/requesttopay', payment('256771000011'));
    const again = await c.post('collection', '/v1_0/requesttopay', payment('256771000011'), { 'X-Reference-Id': first.referenceId });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ code: 'RESOURCE_ALREADY_EXIST', message: 'Duplicated reference id. Creation of resource failed.' });
    const withdraw = await c.post('collection', '/v1_0/requesttowithdraw', payment('256771000011'), { 'X-Reference-Id': first.referenceId });
    expect(withdraw.status).toBe(409);
  });

  it('answers 404 RESOURCE_NOT_FOUND for an unknown id and 400 for a non-UUID one', async () => {
    const unknown = await c.get('collection', `/v1_0/requesttopay/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ code: 'RESOURCE_NOT_FOUND', message: 'Requested resource was not found.' });
    expect((await c.get('collection', '/v1_0/requesttopay/12345')).status).toBe(400);
    // A transfer's id is not a requesttopay.
    const transfer = await c.create('disbursement', '/v1_0/transfer', { amount: '1', currency: 'EUR', payee: { partyIdType: 'MSISDN', partyId: '256771000012' } });
    expect((await c.get('collection', `/v1_0/requesttopay/${transfer.referenceId}`)).status).toBe(404);
  });

  it('answers 500 INVALID_CURRENCY for a currency the environment does not allow', async () => {
    const answer = await rtp(payment('256771000013', { currency: 'UGX' }));
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ code: 'INVALID_CURRENCY', message: 'Currency not supported.' });
  });

  it('refuses messages over 160 characters or with an apostrophe or ampersand (400)', async () => {
    expect((await rtp(payment('256771000014', { payerMessage: 'x'.repeat(160) }))).status).toBe(202);
    expect((await rtp(payment('256771000014', { payerMessage: 'x'.repeat(161) }))).status).toBe(400);
    expect((await rtp(payment('256771000014', { payeeNote: 'y'.repeat(161) }))).status).toBe(400);
    expect((await rtp(payment('256771000014', { payerMessage: "Kato's shop" }))).status).toBe(400);
    expect((await rtp(payment('256771000014', { payeeNote: 'Salt & pepper' }))).status).toBe(400);
  });

  it('answers an entirely empty body with 400 and an empty payer object with 500', async () => {
    expect((await rtp(undefined)).status).toBe(400);
    expect((await rtp({})).status).toBe(400);
    const emptyPayer = await rtp(payment('x', { payer: {} }));
    expect(emptyPayer.status).toBe(500);
    expect((await rtp(payment('x', { payer: undefined }))).status).toBe(400);
    expect((await rtp(payment('x', { payer: { partyIdType: 'PHONE', partyId: '1' } }))).status).toBe(400);
  });

  it('refuses a missing or malformed amount, a missing currency and invalid JSON (400)', async () => {
    expect((await rtp(payment('256771000015', { amount: undefined }))).status).toBe(400);
    expect((await rtp(payment('256771000015', { amount: 'abc' }))).status).toBe(400);
    expect((await rtp(payment('256771000015', { amount: '-5' }))).status).toBe(400);
    expect((await rtp(payment('256771000015', { amount: '0' }))).status).toBe(400);
    expect((await rtp(payment('256771000015', { currency: undefined }))).status).toBe(400);
    const raw = await fetch(`${sb.url}/collection/v1_0/requesttopay`, {
      method: 'POST',
      headers: { ...c.headers('collection'), 'X-Reference-Id': randomUUID(), 'Content-Type': 'application/json' },
      body: '{"amount":',
    });
    expect(raw.status).toBe(400);
  });

  it('refuses an empty X-Callback-Url with 400', async () => {
    expect((await rtp(payment('256771000016'), { 'X-Callback-Url': '' })).status).toBe(400);
    expect((await rtp(payment('256771000016'), { 'X-Callback-Url': 'not a url' })).status).toBe(400);
  });
});

describe('requesttowithdraw', () => {
  for (const version of ['v1_0', 'v2_0']) {
    it(`creates through ${version} and reads back through v1_0`, async () => {
      const created = await c.create('collection', `/${version}/requesttowithdraw`, payment('256771000020', { amount: '3' }));
      expect(created.status).toBe(202);
      const got = await c.get('collection', `/v1_0/requesttowithdraw/${created.referenceId}`);
      expect(got.body).toMatchObject({ status: 'SUCCESSFUL', amount: '3', payer: { partyIdType: 'MSISDN', partyId: '256771000020' } });
      expect((await c.get('collection', `/v1_0/requesttopay/${created.referenceId}`)).status).toBe(404);
    });
  }

  it('validates like requesttopay', async () => {
    const empty = await c.post('collection', '/v2_0/requesttowithdraw', {}, { 'X-Reference-Id': randomUUID() });
    expect(empty.status).toBe(400);
    const emptyPayer = await c.post('collection', '/v1_0/requesttowithdraw', payment('x', { payer: {} }), { 'X-Reference-Id': randomUUID() });
    expect(emptyPayer.status).toBe(500);
  });
});

describe('account holder', () => {
  it('answers {result:true} for ordinary numbers, emails and party codes', async () => {
    for (const [type, id] of [['msisdn', '256771000030'], ['email', 'shopper@example.com'], ['party_code', randomUUID()]]) {
      const answer = await c.get('collection', `/v1_0/accountholder/${type}/${id}/active`);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ result: true });
    }
  });

  it('accepts an upper-case id type by default and answers 404 for it with strictIdTypeCase', async () => {
    expect((await c.get('collection', '/v1_0/accountholder/MSISDN/256771000031/active')).body).toEqual({ result: true });
    sb.sandbox.control.updateSettings({ strictIdTypeCase: true });
    try {
      const strict = await c.get('collection', '/v1_0/accountholder/MSISDN/256771000031/active');
      expect(strict.status).toBe(404);
      expect((await c.get('collection', '/v1_0/accountholder/msisdn/256771000031/active')).status).toBe(200);
    } finally {
      sb.sandbox.control.updateSettings({ strictIdTypeCase: false });
    }
    expect((await c.get('collection', '/v1_0/accountholder/phone/256771000031/active')).status).toBe(404);
  });

  it('answers basic user info as the sandbox does', async () => {
    const answer = await c.get('collection', '/v1_0/accountholder/msisdn/256771000032/basicuserinfo');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ given_name: 'Sand', family_name: 'Box', birthdate: '1976-08-13', locale: 'sv_SE', gender: 'MALE' });
  });
});

describe('delivery notification', () => {
  it('accepts one notification (header or body) and answers a second with 429', async () => {
    const created = await c.create('collection', '/v1_0/requesttopay', payment('256771000040'));
    const path = `/v1_0/requesttopay/${created.referenceId}/deliverynotification`;
    const first = await c.post('collection', path, { notificationMessage: 'Your order ships today' });
    expect(first.status).toBe(200);
    const second = await c.post('collection', path, undefined, { notificationMessage: 'Again' });
    expect(second.status).toBe(429);
    const other = await c.create('collection', '/v1_0/requesttopay', payment('256771000040'));
    expect((await c.post('collection', `/v1_0/requesttopay/${other.referenceId}/deliverynotification`, undefined, { notificationMessage: 'Header form' })).status).toBe(200);
  });

  it('refuses an empty or too long message, an unknown id and a non-UUID id', async () => {
    const created = await c.create('collection', '/v1_0/requesttopay', payment('256771000041'));
    const path = `/v1_0/requesttopay/${created.referenceId}/deliverynotification`;
    expect((await c.post('collection', path, {})).status).toBe(400);
    expect((await c.post('collection', path, { notificationMessage: 'x'.repeat(161) })).status).toBe(400);
    expect((await c.post('collection', `/v1_0/requesttopay/${randomUUID()}/deliverynotification`, { notificationMessage: 'hi' })).status).toBe(404);
    expect((await c.post('collection', '/v1_0/requesttopay/abc/deliverynotification', { notificationMessage: 'hi' })).status).toBe(400);
  });
});
