import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox';
import { client, payment, transferBody, withSandbox, type Client } from './helpers';

let sb: RunningSandbox;
let c: Client;
beforeAll(async () => {
  sb = await withSandbox({ balances: { collection: '0', disbursement: '100', remittance: '50', payer: '1000' } });
  c = await client(sb.url);
});
afterAll(() => sb.close());
beforeEach(() => sb.sandbox.control.reset());

describe('disbursement transfer', () => {
  it('answers 202, reads back SUCCESSFUL and moves money from the disbursement account to the payee', async () => {
    const created = await c.create('disbursement', '/v1_0/transfer', transferBody('256772000001', { amount: 30 }));
    expect(created.status).toBe(202);
    expect(created.text).toBe('');
    const got = await c.get('disbursement', `/v1_0/transfer/${created.referenceId}`);
    expect(got.body).toEqual({
      financialTransactionId: expect.stringMatching(/^\d+$/),
      externalId: 'payout-1',
      amount: '30',
      currency: 'EUR',
      payee: { partyIdType: 'MSISDN', partyId: '256772000001' },
      payerMessage: 'Payout',
      payeeNote: 'Your share',
      status: 'SUCCESSFUL',
    });
    expect((await c.get('disbursement', '/v1_0/account/balance')).body).toEqual({ availableBalance: '70', currency: 'EUR' });
    expect(sb.sandbox.control.balances().customers['256772000001']).toEqual({ EUR: '1030.00' });
  });

  it('fails with NOT_ENOUGH_FUNDS when the account cannot cover the transfer', async () => {
    const first = await c.create('disbursement', '/v1_0/transfer', transferBody('256772000002', { amount: '80' }));
    const second = await c.create('disbursement', '/v1_0/transfer', transferBody('256772000003', { amount: '20.01' }));
    expect((await c.get('disbursement', `/v1_0/transfer/${first.referenceId}`)).body.status).toBe('SUCCESSFUL');
    const failed = await c.get('disbursement', `/v1_0/transfer/${second.referenceId}`);
    expect(failed.body).toMatchObject({ status: 'FAILED', reason: 'NOT_ENOUGH_FUNDS' });
    expect((await c.get('disbursement', '/v1_0/account/balance')).body.availableBalance).toBe('20');
  });

  it('fails a transfer the account cannot cover with NOT_ENOUGH_FUNDS, at once even in delay mode', async () => {
    sb.sandbox.control.updateSettings({ approval: 'delay', approvalDelayMs: 60_000 });
    try {
      const a = await c.create('disbursement', '/v1_0/transfer', transferBody('256772000004', { amount: '60' }));
      const b = await c.create('disbursement', '/v1_0/transfer', transferBody('256772000005', { amount: '60' }));
      const statuses = [(await c.get('disbursement', `/v1_0/transfer/${a.referenceId}`)).body, (await c.get('disbursement', `/v1_0/transfer/${b.referenceId}`)).body];
      expect(statuses.map((s) => s.status)).toEqual(['SUCCESSFUL', 'FAILED']);
      expect(statuses[1].reason).toBe('NOT_ENOUGH_FUNDS');
    } finally {
      sb.sandbox.control.updateSettings({ approval: 'instant' });
    }
  });

  it('validates like every creating call', async () => {
    expect((await c.post('disbursement', '/v1_0/transfer', {}, { 'X-Reference-Id': randomUUID() })).status).toBe(400);
    expect((await c.post('disbursement', '/v1_0/transfer', transferBody('x', { payee: {} }), { 'X-Reference-Id': randomUUID() })).status).toBe(500);
    expect((await c.post('disbursement', '/v1_0/transfer', transferBody('256772000006', { currency: 'GHS' }), { 'X-Reference-Id': randomUUID() })).body.code).toBe('INVALID_CURRENCY');
    expect((await c.post('disbursement', '/v1_0/transfer', transferBody('256772000006', { payeeNote: 'A & B' }), { 'X-Reference-Id': randomUUID() })).status).toBe(400);
    expect((await c.get('disbursement', '/v1_0/transfer/not-a-uuid')).status).toBe(400);
    expect((await c.get('disbursement', `/v1_0/transfer/${randomUUID()}`)).status).toBe(404);
  });
});

describe('deposit', () => {
  for (const version of ['v1_0', 'v2_0']) {
    it(`creates through ${version}; the status has no financialTransactionId`, async () => {
      const created = await c.create('disbursement', `/${version}/deposit`, transferBody('256772000010', { amount: '5' }));
      expect(created.status).toBe(202);
      const got = await c.get('disbursement', `/v1_0/deposit/${created.referenceId}`);
      expect(got.body.status).toBe('SUCCESSFUL');
      expect(got.body.payee).toEqual({ partyIdType: 'MSISDN', partyId: '256772000010' });
      expect(got.body).not.toHaveProperty('financialTransactionId');
      expect((await c.get('disbursement', `/v1_0/transfer/${created.referenceId}`)).status).toBe(404);
    });
  }
});

describe('refund', () => {
  for (const version of ['v1_0', 'v2_0']) {
    it(`refunds part of a successful requesttopay through ${version}`, async () => {
      const paid = await c.create('collection', '/v1_0/requesttopay', payment('256772000020', { amount: '50' }));
      const refund = await c.create('disbursement', `/${version}/refund`, { amount: '20', currency: 'EUR', externalId: 'r1', payerMessage: 'Refund', payeeNote: 'Refund', referenceIdToRefund: paid.referenceId });
      expect(refund.status).toBe(202);
      const got = await c.get('disbursement', `/v1_0/refund/${refund.referenceId}`);
      expect(got.body).toMatchObject({ status: 'SUCCESSFUL', amount: '20', payee: { partyIdType: 'MSISDN', partyId: '256772000020' } });
      expect(got.body.financialTransactionId).toMatch(/^\d+$/);
      expect(sb.sandbox.control.balances().customers['256772000020']).toEqual({ EUR: '970.00' });
    });
  }

  it('needs a UUID that names an existing requesttopay, and never refunds more than was paid', async () => {
    const base = { amount: '1', currency: 'EUR', externalId: 'r', payerMessage: 'm', payeeNote: 'n' };
    expect((await c.post('disbursement', '/v1_0/refund', { ...base, referenceIdToRefund: 'abc' }, { 'X-Reference-Id': randomUUID() })).status).toBe(400);
    expect((await c.post('disbursement', '/v1_0/refund', base, { 'X-Reference-Id': randomUUID() })).status).toBe(400);
    const unknown = await c.post('disbursement', '/v1_0/refund', { ...base, referenceIdToRefund: randomUUID() }, { 'X-Reference-Id': randomUUID() });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('RESOURCE_NOT_FOUND');
    const paid = await c.create('collection', '/v1_0/requesttopay', payment('256772000021', { amount: '10' }));
    const tooMuch = await c.create('disbursement', '/v1_0/refund', { ...base, amount: '10.01', referenceIdToRefund: paid.referenceId });
    expect((await c.get('disbursement', `/v1_0/refund/${tooMuch.referenceId}`)).body).toMatchObject({ status: 'FAILED', reason: 'NOT_ALLOWED' });
    const failedPayment = await c.create('collection', '/v1_0/requesttopay', payment('46733123450'));
    const ofFailed = await c.create('disbursement', '/v1_0/refund', { ...base, referenceIdToRefund: failedPayment.referenceId });
    expect((await c.get('disbursement', `/v1_0/refund/${ofFailed.referenceId}`)).body).toMatchObject({ status: 'FAILED', reason: 'NOT_ALLOWED' });
  });
});

describe('disbursement balance and account holder', () => {
  it('answers balance, balance by currency, active and basic user info', async () => {
    expect((await c.get('disbursement', '/v1_0/account/balance')).body).toEqual({ availableBalance: '100', currency: 'EUR' });
    expect((await c.get('disbursement', '/v1_0/account/balance/EUR')).body).toEqual({ availableBalance: '100', currency: 'EUR' });
    expect((await c.get('disbursement', '/v1_0/account/balance/XOF')).status).toBe(500);
    expect((await c.get('disbursement', '/v1_0/accountholder/msisdn/256772000030/active')).body).toEqual({ result: true });
    expect((await c.get('disbursement', '/v1_0/accountholder/msisdn/46733123451/active')).body).toEqual({ result: false });
    expect((await c.get('disbursement', '/v1_0/accountholder/msisdn/256772000030/basicuserinfo')).body.given_name).toBe('Sand');
  });
});

describe('remittance', () => {
  it('transfers from the remittance account, reads back, reports balance and account holders', async () => {
    const created = await c.create('remittance', '/v1_0/transfer', transferBody('256773000001', { amount: '45' }));
    expect(created.status).toBe(202);
    expect((await c.get('remittance', `/v1_0/transfer/${created.referenceId}`)).body).toMatchObject({ status: 'SUCCESSFUL', amount: '45' });
    expect((await c.get('remittance', '/v1_0/account/balance')).body).toEqual({ availableBalance: '5', currency: 'EUR' });
    expect((await c.get('disbursement', '/v1_0/account/balance')).body.availableBalance).toBe('100');
    const broke = await c.create('remittance', '/v1_0/transfer', transferBody('256773000002', { amount: '6' }));
    expect((await c.get('remittance', `/v1_0/transfer/${broke.referenceId}`)).body).toMatchObject({ status: 'FAILED', reason: 'NOT_ENOUGH_FUNDS' });
    // A disbursement transfer is not a remittance transfer.
    expect((await c.get('disbursement', `/v1_0/transfer/${created.referenceId}`)).status).toBe(404);
    expect((await c.get('remittance', '/v1_0/accountholder/email/notfound@email.com/active')).status).toBe(404);
    expect((await c.get('remittance', '/v1_0/accountholder/msisdn/256773000003/basicuserinfo')).status).toBe(200);
    expect((await c.get('remittance', '/v1_0/account/balance/EUR')).status).toBe(200);
  });
});
