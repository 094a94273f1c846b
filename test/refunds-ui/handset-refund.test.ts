// The money coming back (issue #14): a refund's SMS on the payer's handset says what came back,
// which payment it refunds and the new balance, and the sandbox's balances move by exactly the
// refund (payer up, disbursement account down); a refused refund moves nothing and texts nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox';
import { call, client, payment, withSandbox, type Client } from '../sandbox/helpers';

let sb: RunningSandbox;
let c: Client;
beforeAll(async () => {
  sb = await withSandbox();
  c = await client(sb.url);
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.sandbox.control.reset();
  sb.sandbox.control.setBalance({ account: 'disbursement' }, 'EUR', '500');
});

const shopper = '256774000070';
const wallet = async () => (await call(sb.url, 'GET', `/handset/api/wallet?msisdn=${shopper}`)).body as { balances: { amount: string }[]; messages: { direction: string; text: string }[] };
const disbursement = () => sb.sandbox.control.balances().accounts.disbursement?.EUR;
const refund = (referenceIdToRefund: string, amount: string) =>
  c.create('disbursement', '/v1_0/refund', { amount, currency: 'EUR', externalId: 'refund-7', payerMessage: 'Refund', payeeNote: 'Refund of order 9a0d from Sokoni', referenceIdToRefund });

describe("the payer's handset when money comes back", () => {
  it('shows each partial refund as an SMS naming the payment it gives back, with the new balance', async () => {
    const paid = await c.create('collection', '/v1_0/requesttopay', payment(shopper, { amount: '30', externalId: 'order-9a0d', payerMessage: 'Sokoni: 2 x Matooke' }));
    expect((await wallet()).balances).toEqual([{ currency: 'EUR', amount: '99970.00' }]);
    await refund(paid.referenceId, '12.50');
    await refund(paid.referenceId, '7.50');

    const after = await wallet();
    expect(after.balances).toEqual([{ currency: 'EUR', amount: '99990.00' }]);
    expect(disbursement()).toBe('480.00');
    expect(after.messages.map((m) => [m.direction, m.text.replace(/ Transaction ID: \d+\./, '')])).toEqual([
      ['received', 'You have received 7.50 EUR, a refund of your payment of 30 EUR for Sokoni: 2 x Matooke, external id order-9a0d. Message: Refund of order 9a0d from Sokoni. New balance: 99990.00 EUR.'],
      ['received', 'You have received 12.50 EUR, a refund of your payment of 30 EUR for Sokoni: 2 x Matooke, external id order-9a0d. Message: Refund of order 9a0d from Sokoni. New balance: 99982.50 EUR.'],
      ['paid', 'You have paid 30 EUR. Message: Sokoni: 2 x Matooke. New balance: 99970.00 EUR.'],
    ]);
    const page = await call(sb.url, 'GET', `/handset?msisdn=${shopper}`);
    expect(page.text).toContain('You have received 12.50 EUR, a refund of your payment of 30 EUR');
  });

  it('texts nothing and moves nothing for a refund MoMo refuses (more than is left)', async () => {
    const paid = await c.create('collection', '/v1_0/requesttopay', payment(shopper, { amount: '10' }));
    const refused = await refund(paid.referenceId, '10.01');
    expect((await c.get('disbursement', `/v1_0/refund/${refused.referenceId}`)).body).toMatchObject({ status: 'FAILED', reason: 'NOT_ALLOWED' });
    const after = await wallet();
    expect(after.balances).toEqual([{ currency: 'EUR', amount: '99990.00' }]);
    expect(after.messages.map((m) => m.direction)).toEqual(['paid']);
    expect(disbursement()).toBe('500.00');
  });
});
