// Validation happens before anything is sent: every refusal names the field, and the sandbox
// sees no call at all (not even a token request).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MomoError, newReferenceId } from '../../src/momo';
import { clientFor, payment, payout, rejection, startHarness, totalCalls, type Harness } from './helpers';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());
beforeEach(() => harness.running.sandbox.control.reset());

async function refused(call: Promise<unknown>, field: string): Promise<MomoError> {
  const error = await rejection(call);
  expect(error).toMatchObject({ code: 'VALIDATION_ERROR', status: null, field, retryable: false });
  expect(totalCalls(harness)).toBe(0);
  return error;
}

describe('validation', () => {
  it.each([
    ['referenceId', { referenceId: 'not-a-uuid' }],
    ['referenceId', { referenceId: '6f0a5d0e-3b1c-1d2e-9f3a-1b2c3d4e5f60' }],
    ['amountMinor', { amountMinor: 0 }],
    ['amountMinor', { amountMinor: -5 }],
    ['amountMinor', { amountMinor: 12.5 }],
    ['amountMinor', { amountMinor: Number.MAX_SAFE_INTEGER + 1 }],
    ['amountMinor', { amountMinor: '1000' }],
    ['amountMinor', { amountMinor: 1_000_000_01 }],
    ['amountMinor', { currency: 'UGX', amountMinor: 999 }],
    ['currency', { currency: 'eur' }],
    ['currency', { currency: 'USD' }],
    ['externalId', { externalId: 42 }],
    ['payer', { payer: undefined }],
    ['payer.partyIdType', { payer: { partyIdType: 'msisdn', partyId: '256772123456' } }],
    ['payer.partyId', { payer: { partyIdType: 'MSISDN', partyId: '+256772123456' } }],
    ['payer.partyId', { payer: { partyIdType: 'MSISDN', partyId: '1234567' } }],
    ['payer.partyId', { payer: { partyIdType: 'MSISDN', partyId: '1234567890123456' } }],
    ['payer.partyId', { payer: { partyIdType: 'EMAIL', partyId: 'not an email' } }],
    ['payer.partyId', { payer: { partyIdType: 'PARTY_CODE', partyId: 'abc' } }],
    ['payerMessage', { payerMessage: 'x'.repeat(161) }],
    ['payeeNote', { payeeNote: " ' " }],
    ['payeeNote', { payeeNote: null }],
    ['callbackUrl', { callbackUrl: '' }],
    ['callbackUrl', { callbackUrl: 'ftp://shop.example/cb' }],
    ['callbackUrl', { callbackUrl: '/relative' }],
  ])('requestToPay refuses a bad %s (%j)', async (field, change) => {
    const { client } = clientFor(harness);
    await refused(client.collection.requestToPay(payment(change)), field);
  });

  it('names the operation and the caller’s reference id', async () => {
    const { client } = clientFor(harness);
    const input = payment({ amountMinor: 0 });
    const error = await refused(client.collection.requestToPay(input), 'amountMinor');
    expect(error).toMatchObject({ operation: 'collection.requestToPay', referenceId: input.referenceId });
    expect(error.message).toMatch(/^amountMinor: /);
  });

  it('transfers check the payee', async () => {
    const { client } = clientFor(harness);
    await refused(client.disbursement.transfer(payout({ payee: { partyIdType: 'MSISDN', partyId: '07721' } })), 'payee.partyId');
    await refused(client.remittance.transfer(payout({ payee: undefined })), 'payee');
  });

  it('refunds check the reference they refund', async () => {
    const { client } = clientFor(harness);
    const refund = { ...payout(), referenceIdToRefund: 'nope' };
    await refused(client.disbursement.refund(refund), 'referenceIdToRefund');
  });

  it('API versions are v1_0 or v2_0', async () => {
    const { client } = clientFor(harness);
    await refused(client.disbursement.deposit(payout(), 'v3_0' as 'v2_0'), 'version');
  });

  it('status reads check the reference id', async () => {
    const { client } = clientFor(harness);
    await refused(client.collection.getRequestToPay('123'), 'referenceId');
    await refused(client.disbursement.getRefund(''), 'referenceId');
    await refused(client.remittance.getTransfer('6f0a5d0e-3b1c-4d2e-9f3a'), 'referenceId');
  });

  it('balances check the currency; account holders the type and id', async () => {
    const { client } = clientFor(harness);
    await refused(client.collection.getBalance('euro'), 'currency');
    await refused(client.collection.isAccountHolderActive('alias' as 'msisdn', 'x'), 'idType');
    await refused(client.disbursement.getBasicUserInfo('msisdn', '+256772123456'), 'id');
    await refused(client.remittance.isAccountHolderActive('email', 'x@y'), 'id');
  });

  it('delivery notifications check reference, message and language', async () => {
    const { client } = clientFor(harness);
    await refused(client.collection.deliveryNotification('x', 'Hi'), 'referenceId');
    await refused(client.collection.deliveryNotification(newReferenceId(), 'y'.repeat(161)), 'message');
    await refused(client.collection.deliveryNotification(newReferenceId(), 'Hi', 'english'), 'language');
  });

  it('provisioning checks the reference id and the host', async () => {
    const { client } = clientFor(harness);
    await refused(client.provisioning('key').createApiUser({ referenceId: 'x', providerCallbackHost: 'shop.example' }), 'referenceId');
    await refused(client.provisioning('key').createApiUser({ referenceId: newReferenceId(), providerCallbackHost: 'https://shop.example/cb' }), 'providerCallbackHost');
    await refused(client.provisioning('key').createApiKey('not-a-user'), 'apiUser');
  });
});

describe('message cleaning', () => {
  it("drops apostrophes and turns & into 'and' rather than refusing, and sends the clean text", async () => {
    const { client } = clientFor(harness);
    const input = payment({ payerMessage: "Mama's Kitchen & Bar", payeeNote: 'Salt&Pepper' });
    await client.collection.requestToPay(input);
    const result = await client.collection.getRequestToPay(input.referenceId);
    expect(result.payerMessage).toBe('Mamas Kitchen and Bar');
    expect(result.payeeNote).toBe('Salt and Pepper');
  });

  it('accepts exactly 160 characters', async () => {
    const { client } = clientFor(harness);
    await expect(client.collection.requestToPay(payment({ payerMessage: 'a'.repeat(160) }))).resolves.toEqual(expect.any(String));
  });
});
