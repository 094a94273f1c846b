// Every Collections method against the sandbox over HTTP.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newReferenceId } from '../../src/momo';
import { parseDecimal } from '../../src/money';
import { calls, clientFor, payment, PAYER, rejection, startHarness, type Harness } from './helpers';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());
beforeEach(() => {
  harness.running.sandbox.control.reset();
  harness.running.sandbox.control.updateSettings({ reasonShape: 'string', approval: 'instant' });
});

describe('collection', () => {
  it('requestToPay sends the caller’s reference id and the amount as a decimal string, and reads it back', async () => {
    const { client } = clientFor(harness);
    const input = payment({ amountMinor: 1250, callbackUrl: 'http://shop.example/callback' });
    await expect(client.collection.requestToPay(input)).resolves.toBe(input.referenceId);

    const seen = harness.running.sandbox.control.transaction(input.referenceId);
    expect(seen?.amount).toBe('12.50');
    expect(seen?.callback).not.toBeNull();

    const result = await client.collection.getRequestToPay(input.referenceId);
    expect(result).toMatchObject({
      referenceId: input.referenceId,
      status: 'SUCCESSFUL',
      amountMinor: 1250,
      currency: 'EUR',
      externalId: 'order-1',
      party: { partyIdType: 'MSISDN', partyId: PAYER },
      payerMessage: 'Sokoni order',
      payeeNote: 'Order 1',
      reason: null,
    });
    expect(result.financialTransactionId).toEqual(expect.any(String));
  });

  it('returns a FAILED payment as a result with its reason, sent as a string', async () => {
    const { client } = clientFor(harness);
    const input = payment({ payer: { partyIdType: 'MSISDN', partyId: '46733123451' } });
    await client.collection.requestToPay(input);
    const result = await client.collection.getRequestToPay(input.referenceId);
    expect(result.status).toBe('FAILED');
    expect(result.reason).toEqual({ code: 'APPROVAL_REJECTED', message: null });
  });

  it('reads a reason sent as {code, message}', async () => {
    harness.running.sandbox.control.updateSettings({ reasonShape: 'object' });
    const { client } = clientFor(harness);
    const input = payment({ payer: { partyIdType: 'MSISDN', partyId: '46733123455' } });
    await client.collection.requestToPay(input);
    const result = await client.collection.getRequestToPay(input.referenceId);
    expect(result.status).toBe('FAILED');
    expect(result.reason?.code).toBe('PAYER_NOT_FOUND');
    expect(result.reason?.message).toEqual(expect.any(String));
  });

  it('reports a payment still awaiting approval as PENDING', async () => {
    harness.running.sandbox.control.updateSettings({ approval: 'handset' });
    const { client } = clientFor(harness);
    const input = payment();
    await client.collection.requestToPay(input);
    const result = await client.collection.getRequestToPay(input.referenceId);
    expect(result.status).toBe('PENDING');
    expect(result.financialTransactionId).toBeNull();
  });

  it.each(['v1_0', 'v2_0'] as const)('requestToWithdraw %s and its status read', async (version) => {
    const { client } = clientFor(harness);
    const input = payment();
    await expect(client.collection.requestToWithdraw(input, version)).resolves.toBe(input.referenceId);
    expect(harness.running.sandbox.control.transaction(input.referenceId)?.version).toBe(version);
    const result = await client.collection.getRequestToWithdraw(input.referenceId);
    expect(result).toMatchObject({ status: 'SUCCESSFUL', amountMinor: 1250, party: { partyId: PAYER } });
  });

  it('getBalance, with and without a currency', async () => {
    const { client } = clientFor(harness);
    harness.running.sandbox.control.setBalance({ account: 'collection' }, 'EUR', '42.50');
    for (const balance of [await client.collection.getBalance(), await client.collection.getBalance('EUR')]) {
      expect(balance.currency).toBe('EUR');
      expect(parseDecimal(balance.availableBalance, 'EUR')).toBe(4250);
    }
    expect(calls(harness, 'collection.getBalanceInCurrency')).toBe(1);
  });

  it('isAccountHolderActive: active, not active, and not found', async () => {
    const { client } = clientFor(harness);
    await expect(client.collection.isAccountHolderActive('msisdn', PAYER)).resolves.toBe(true);
    await expect(client.collection.isAccountHolderActive('msisdn', '46733123451')).resolves.toBe(false);
    await expect(client.collection.isAccountHolderActive('email', 'notfound@email.com')).resolves.toBe(false);
    await expect(client.collection.isAccountHolderActive('party_code', '5cecb5a7-8bd0-4f49-87b1-8eb9ecc7b7bc')).resolves.toBe(false);
  });

  it('puts the account-holder id type in the path in lower case, even when given in upper case', async () => {
    harness.running.sandbox.control.updateSettings({ strictIdTypeCase: true });
    const { client, events } = clientFor(harness);
    await expect(client.collection.isAccountHolderActive('MSISDN' as 'msisdn', PAYER)).resolves.toBe(true);
    expect(events.at(-1)?.path).toBe(`/collection/v1_0/accountholder/msisdn/${PAYER}/active`);
    harness.running.sandbox.control.updateSettings({ strictIdTypeCase: false });
  });

  it('getBasicUserInfo', async () => {
    const { client } = clientFor(harness);
    await expect(client.collection.getBasicUserInfo('msisdn', PAYER)).resolves.toMatchObject({ given_name: 'Sand', family_name: 'Box' });
  });

  it('deliveryNotification once; a second one is refused with 429', async () => {
    const { client } = clientFor(harness);
    const input = payment();
    await client.collection.requestToPay(input);
    await expect(client.collection.deliveryNotification(input.referenceId, 'Your order is ready', 'en')).resolves.toBeUndefined();
    const second = await rejection(client.collection.deliveryNotification(input.referenceId, 'Again'));
    expect(second).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS', operation: 'collection.deliveryNotification', referenceId: input.referenceId });
    // 429 here means "already sent", which no wait would change: not retried.
    expect(calls(harness, 'collection.deliveryNotification')).toBe(2);
  });

  it('deliveryNotification for an unknown transaction is a 404', async () => {
    const { client } = clientFor(harness);
    const error = await rejection(client.collection.deliveryNotification(newReferenceId(), 'Hello'));
    expect(error).toMatchObject({ status: 404, code: 'RESOURCE_NOT_FOUND' });
  });
});
