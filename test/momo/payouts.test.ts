// Every Disbursements and Remittances method against the sandbox over HTTP.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseDecimal } from '../../src/money';
import { calls, clientFor, payment, payout, startHarness, type Harness } from './helpers';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());
beforeEach(() => harness.running.sandbox.control.reset());

describe('disbursement', () => {
  it('transfer and getTransfer', async () => {
    const { client } = clientFor(harness);
    const input = payout({ amountMinor: 805 });
    await expect(client.disbursement.transfer(input)).resolves.toBe(input.referenceId);
    expect(harness.running.sandbox.control.transaction(input.referenceId)?.amount).toBe('8.05');
    await expect(client.disbursement.getTransfer(input.referenceId)).resolves.toMatchObject({
      referenceId: input.referenceId,
      status: 'SUCCESSFUL',
      amountMinor: 805,
      party: { partyIdType: 'MSISDN', partyId: '256772000111' },
      reason: null,
    });
  });

  it('a FAILED transfer is a result with its reason', async () => {
    const { client } = clientFor(harness);
    const input = payout({ payee: { partyIdType: 'MSISDN', partyId: '46733123457' } });
    await client.disbursement.transfer(input);
    const result = await client.disbursement.getTransfer(input.referenceId);
    expect(result).toMatchObject({ status: 'FAILED', reason: { code: 'PAYEE_NOT_FOUND', message: null } });
  });

  it.each(['v1_0', 'v2_0'] as const)('deposit %s and getDeposit', async (version) => {
    const { client } = clientFor(harness);
    const input = payout();
    await expect(client.disbursement.deposit(input, version)).resolves.toBe(input.referenceId);
    expect(harness.running.sandbox.control.transaction(input.referenceId)?.version).toBe(version);
    await expect(client.disbursement.getDeposit(input.referenceId)).resolves.toMatchObject({ status: 'SUCCESSFUL', amountMinor: 1000 });
  });

  it.each(['v1_0', 'v2_0'] as const)('refund %s of a collected payment, and getRefund', async (version) => {
    const { client } = clientFor(harness);
    const paid = payment({ amountMinor: 5000 });
    await client.collection.requestToPay(paid);
    const refund = {
      referenceId: payout().referenceId,
      amountMinor: 200,
      currency: 'EUR',
      externalId: 'refund-1',
      payerMessage: 'Refund',
      payeeNote: 'Refund',
      referenceIdToRefund: paid.referenceId,
    };
    await expect(client.disbursement.refund(refund, version)).resolves.toBe(refund.referenceId);
    const result = await client.disbursement.getRefund(refund.referenceId);
    expect(result).toMatchObject({ status: 'SUCCESSFUL', amountMinor: 200, party: { partyId: paid.payer.partyId } });
  });

  it('getBalance, isAccountHolderActive and getBasicUserInfo', async () => {
    const { client } = clientFor(harness);
    const balance = await client.disbursement.getBalance();
    expect(balance.currency).toBe('EUR');
    expect(parseDecimal(balance.availableBalance, 'EUR')).toBe(1_000_000_00);
    await expect(client.disbursement.isAccountHolderActive('msisdn', '256772000111')).resolves.toBe(true);
    await expect(client.disbursement.getBasicUserInfo('email', 'someone@example.com')).resolves.toMatchObject({ given_name: 'Sand' });
    expect(calls(harness, 'disbursement.accountHolderActive')).toBe(1);
  });
});

describe('remittance', () => {
  it('transfer and getTransfer', async () => {
    const { client } = clientFor(harness);
    const input = payout({ amountMinor: 12_345 });
    await expect(client.remittance.transfer(input)).resolves.toBe(input.referenceId);
    expect(harness.running.sandbox.control.transaction(input.referenceId)?.product).toBe('remittance');
    await expect(client.remittance.getTransfer(input.referenceId)).resolves.toMatchObject({ status: 'SUCCESSFUL', amountMinor: 12_345, amount: '123.45' });
  });

  it('getBalance, isAccountHolderActive and getBasicUserInfo', async () => {
    const { client } = clientFor(harness);
    await expect(client.remittance.getBalance('EUR')).resolves.toMatchObject({ currency: 'EUR' });
    await expect(client.remittance.isAccountHolderActive('msisdn', '46733123451')).resolves.toBe(false);
    await expect(client.remittance.getBasicUserInfo('msisdn', '256772000111')).resolves.toMatchObject({ family_name: 'Box' });
    expect(calls(harness, 'remittance.basicUserInfo')).toBe(1);
  });
});
