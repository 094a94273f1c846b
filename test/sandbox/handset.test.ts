// The simulated handset (#10): it asks for a number, then shows only that number's requests,
// balance and SMS (newest first: MoMo texts the payee on every credit, the payer on every debit);
// answers are given in words, never reason codes; a short PIN gets MoMo's own hint.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox';
import { call, client, payment, transferBody, withSandbox, type Client } from './helpers';

let sb: RunningSandbox;
let c: Client;
beforeAll(async () => {
  sb = await withSandbox({ approval: 'handset' });
  c = await client(sb.url);
});
afterAll(() => sb.close());
beforeEach(() => sb.sandbox.control.reset());

const api = (path: string) => call(sb.url, 'GET', `/handset/api${path}`);
const answer = (referenceId: string, action: 'approve' | 'reject', body: unknown = {}) => call(sb.url, 'POST', `/handset/api/requests/${referenceId}/${action}`, { body });

function expectNoInlineCode(html: string): void {
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
}

describe('the handset page', () => {
  it('without a number only asks for one, and never lists the numbers with requests waiting', async () => {
    await c.create('collection', '/v1_0/requesttopay', payment('256774000050'));
    const page = await call(sb.url, 'GET', '/handset');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<form id="pick"');
    expect(page.text).toContain('Enter its number');
    expect(page.text).not.toContain('256774000050');
    expect(page.text).not.toContain('id="requests"');
    expect(page.text).not.toContain('data-msisdn');
    expectNoInlineCode(page.text);
  });

  it('for a number shows its balance and messages, and nothing of any other number', async () => {
    await c.create('collection', '/v1_0/requesttopay', payment('256774000051'));
    const page = await call(sb.url, 'GET', '/handset?msisdn=%2B256774000052');
    expect(page.text).toContain('data-msisdn="256774000052"');
    expect(page.text).toContain('<li>100000.00 EUR</li>');
    expect(page.text).toContain('No messages yet.');
    expect(page.text).not.toContain('256774000051');
    // MoMo's hint for a short PIN, not the browser's generic pattern message.
    expect(page.text).toContain('Enter your 4 to 6 digit PIN.');
    expect(page.text).not.toContain('pattern=');
    expectNoInlineCode(page.text);
  });

  it('shows received and paid money as SMS, newest first, with the balance after them', async () => {
    const shopper = '256774000053';
    const paid = await c.create('collection', '/v1_0/requesttopay', payment(shopper, { amount: '30', payerMessage: 'Matooke from Sokoni' }));
    expect((await answer(paid.referenceId, 'approve', { pin: '1234' })).body.message).toBe('Approved. You paid 30 EUR for Order 1.');
    await c.create('disbursement', '/v1_0/transfer', transferBody(shopper, { amount: '8', payeeNote: 'Your share of order 12' }));
    await c.create('disbursement', '/v1_0/transfer', transferBody('256774000054', { amount: '5' }));
    const rejected = await c.create('collection', '/v1_0/requesttopay', payment(shopper, { amount: '1' }));
    await answer(rejected.referenceId, 'reject');

    const wallet = await api(`/wallet?msisdn=${shopper}`);
    expect(wallet.status).toBe(200);
    expect(wallet.body.msisdn).toBe(shopper);
    expect(wallet.body.balances).toEqual([{ currency: 'EUR', amount: '99978.00' }]);
    expect(wallet.body.messages.map((m: { direction: string; text: string }) => [m.direction, m.text.replace(/ Transaction ID: \d+\./, '')])).toEqual([
      ['received', 'You have received 8 EUR. Message: Your share of order 12. New balance: 99978.00 EUR.'],
      ['paid', 'You have paid 30 EUR. Message: Matooke from Sokoni. New balance: 99970.00 EUR.'],
    ]);
    const page = await call(sb.url, 'GET', `/handset?msisdn=${shopper}`);
    expect(page.text).toContain('<li>99978.00 EUR</li>');
    expect(page.text.indexOf('You have received 8 EUR')).toBeLessThan(page.text.indexOf('You have paid 30 EUR'));
    expect(page.text).not.toContain('256774000054');
    expect((await api('/wallet')).status).toBe(400);
    // Looking at a wallet opens nothing: the control API's balances list only wallets that moved.
    await api('/wallet?msisdn=256774000099');
    expect(sb.sandbox.control.balances().customers).not.toHaveProperty('256774000099');
  });

  it('answers in words: a rejection never shows APPROVAL_REJECTED, a short PIN gets the hint', async () => {
    const created = await c.create('collection', '/v1_0/requesttopay', payment('256774000055', { amount: '4' }));
    const short = await answer(created.referenceId, 'approve', { pin: '12' });
    expect(short.status).toBe(400);
    expect(short.body.error).toBe('Enter your 4 to 6 digit PIN.');
    const rejected = await answer(created.referenceId, 'reject');
    expect(rejected.body.message).toBe('Rejected. You declined to pay 4 EUR; no money was taken.');
    const js = await call(sb.url, 'GET', '/handset/assets/handset.js');
    // The page shows the answer's message; the reason code is for API clients only.
    expect(js.text).toContain('outcome.data.message');
    expect(js.text).not.toMatch(/\.reason\b/);
    expect(js.text).not.toContain('/msisdns');
  });
});
