// The published mtn-momo client, unchanged, against the sandbox: what it does against MTN's
// sandbox must work here too.
import momo from 'mtn-momo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox';
import { call, eventually, listener, withSandbox } from './helpers';

let sb: RunningSandbox;
beforeAll(async () => void (sb = await withSandbox({ approval: 'instant' })));
afterAll(() => sb.close());

async function credentials(primaryKey: string) {
  const client = momo.create({ callbackHost: '127.0.0.1', baseUrl: sb.url });
  const users = client.Users({ primaryKey });
  const userId = await users.create('127.0.0.1');
  const { apiKey } = await users.login(userId);
  return { client, config: { primaryKey, userId, userSecret: apiKey } };
}

describe('mtn-momo@2 against the sandbox', () => {
  it('provisions a user and key, gets tokens, requests to pay and reads the payment', async () => {
    const { client, config } = await credentials('collection-key');
    expect(config.userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(config.userSecret).toMatch(/^[0-9a-f]{32}$/);
    const collections = client.Collections(config);
    const referenceId = await collections.requestToPay({
      amount: '50',
      currency: 'EUR',
      externalId: '123456',
      payer: { partyIdType: momo.PayerType.MSISDN, partyId: '256779000001' },
      payerMessage: 'Order 42',
      payeeNote: 'Sokoni order 42',
    });
    const payment = await collections.getTransaction(referenceId);
    expect(payment).toMatchObject({ status: 'SUCCESSFUL', amount: '50', currency: 'EUR', externalId: '123456', financialTransactionId: expect.any(String) });
    expect(await collections.getBalance()).toEqual({ availableBalance: '50', currency: 'EUR' });
    // Collections sends the id type upper case (MSISDN); the sandbox accepts it by default.
    expect(await collections.isPayerActive('256779000001')).toEqual({ result: true });
    expect(await collections.isPayerActive('46733123451')).toEqual({ result: false });
  });

  it('transfers, reads the transfer, the balance and payee status', async () => {
    const { client, config } = await credentials('disbursement-key');
    const disbursements = client.Disbursements(config);
    const referenceId = await disbursements.transfer({
      amount: '40',
      currency: 'EUR',
      externalId: '947354',
      payee: { partyIdType: momo.PayerType.MSISDN, partyId: '256779000002' },
      payerMessage: 'Seller share',
      payeeNote: 'Your 80 percent',
    });
    const transfer = await disbursements.getTransaction(referenceId);
    expect(transfer).toMatchObject({ status: 'SUCCESSFUL', amount: '40', payee: { partyIdType: 'MSISDN', partyId: '256779000002' } });
    expect(await disbursements.getBalance()).toEqual({ availableBalance: '999960', currency: 'EUR' });
    expect(await disbursements.isPayerActive('256779000002', momo.PayerType.MSISDN)).toBe(true);
  });

  it('turns FAILED transactions into its typed errors', async () => {
    const { client, config } = await credentials('collection-key');
    const collections = client.Collections(config);
    const rejected = await collections.requestToPay({ amount: '5', currency: 'EUR', externalId: '1', payer: { partyIdType: momo.PayerType.MSISDN, partyId: '46733123451' }, payerMessage: 'm', payeeNote: 'n' });
    await expect(collections.getTransaction(rejected)).rejects.toBeInstanceOf(momo.ApprovalRejectedError);
    const notFound = await collections.requestToPay({ amount: '5', currency: 'EUR', externalId: '1', payer: { partyIdType: momo.PayerType.MSISDN, partyId: '46733123455' }, payerMessage: 'm', payeeNote: 'n' });
    await expect(collections.getTransaction(notFound)).rejects.toBeInstanceOf(momo.PayerNotFoundError);
    const { client: dClient, config: dConfig } = await credentials('disbursement-key');
    const disbursements = dClient.Disbursements(dConfig);
    const broke = await disbursements.transfer({ amount: '5', currency: 'EUR', externalId: '1', payee: { partyIdType: momo.PayerType.MSISDN, partyId: '46733123455' }, payerMessage: 'm', payeeNote: 'n' });
    await expect(disbursements.getTransaction(broke)).rejects.toBeInstanceOf(momo.NotEnoughFundsError);
    await expect(collections.requestToPay({ amount: '5', currency: 'GHS', externalId: '1', payer: { partyIdType: momo.PayerType.MSISDN, partyId: '256779000003' }, payerMessage: 'm', payeeNote: 'n' })).rejects.toBeInstanceOf(momo.InvalidCurrencyError);
  });

  it('waits on the handset and hears the callback', async () => {
    sb.sandbox.control.updateSettings({ approval: 'handset' });
    const hook = await listener();
    try {
      const { client, config } = await credentials('collection-key');
      const collections = client.Collections(config);
      const referenceId = await collections.requestToPay({
        amount: '12',
        currency: 'EUR',
        externalId: '77',
        payer: { partyIdType: momo.PayerType.MSISDN, partyId: '256779000004' },
        payerMessage: 'Order 77',
        payeeNote: 'Order 77',
        callbackUrl: `${hook.url}/momo`,
      });
      expect((await collections.getTransaction(referenceId)).status).toBe('PENDING');
      const approved = await call(sb.url, 'POST', `/handset/api/requests/${referenceId}/approve`, { body: { pin: '2468' } });
      expect(approved.body.status).toBe('SUCCESSFUL');
      expect((await collections.getTransaction(referenceId)).status).toBe('SUCCESSFUL');
      const received = await eventually(() => hook.received[0]);
      expect(received.body).toMatchObject({ status: 'SUCCESSFUL', externalId: '77' });
    } finally {
      sb.sandbox.control.updateSettings({ approval: 'instant' });
      await hook.close();
    }
  });
});
