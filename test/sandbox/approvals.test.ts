import express from 'express';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type RunningSandbox } from '../../src/sandbox';
import { call, client, eventually, listener, payment, transferBody, withSandbox, type Client } from './helpers';

describe('transfers, deposits and refunds (#16)', () => {
  for (const approval of ['delay', 'handset'] as const) {
    it(`are final at their first status read in ${approval} mode, while collections wait for the payer`, async () => {
      const sb = await withSandbox({ approval, approvalDelayMs: 600_000 });
      try {
        const c = await client(sb.url);
        const paid = await c.create('collection', '/v1_0/requesttopay', payment('256774000030'));
        const withdraw = await c.create('collection', '/v2_0/requesttowithdraw', payment('256774000031'));
        const transfer = await c.create('disbursement', '/v1_0/transfer', transferBody('256774000032'));
        const deposit = await c.create('disbursement', '/v2_0/deposit', transferBody('256774000033'));
        const remit = await c.create('remittance', '/v1_0/transfer', transferBody('256774000034'));
        const broke = await c.create('disbursement', '/v1_0/transfer', transferBody('46733123457'));
        expect((await c.get('disbursement', `/v1_0/transfer/${transfer.referenceId}`)).body.status).toBe('SUCCESSFUL');
        expect((await c.get('disbursement', `/v1_0/deposit/${deposit.referenceId}`)).body.status).toBe('SUCCESSFUL');
        expect((await c.get('remittance', `/v1_0/transfer/${remit.referenceId}`)).body.status).toBe('SUCCESSFUL');
        expect((await c.get('disbursement', `/v1_0/transfer/${broke.referenceId}`)).body).toMatchObject({ status: 'FAILED', reason: 'PAYEE_NOT_FOUND' });
        expect((await c.get('collection', `/v1_0/requesttopay/${paid.referenceId}`)).body.status).toBe('PENDING');
        expect((await c.get('collection', `/v1_0/requesttowithdraw/${withdraw.referenceId}`)).body.status).toBe('PENDING');
        // A refund of a settled payment is final at once too.
        if (approval === 'handset') sb.sandbox.control.approve(paid.referenceId, '1234');
        else sb.sandbox.control.advanceClock(600_000);
        expect((await c.get('collection', `/v1_0/requesttopay/${paid.referenceId}`)).body.status).toBe('SUCCESSFUL');
        const refund = await c.create('disbursement', '/v1_0/refund', { amount: '4', currency: 'EUR', externalId: 'r1', payerMessage: 'Refund', payeeNote: 'Refund', referenceIdToRefund: paid.referenceId });
        expect(refund.status).toBe(202);
        expect((await c.get('disbursement', `/v1_0/refund/${refund.referenceId}`)).body.status).toBe('SUCCESSFUL');
      } finally {
        await sb.close();
      }
    });
  }
});

describe('instant mode', () => {
  it('is final at once, as MTN sandbox is', async () => {
    const sb = await withSandbox({ approval: 'instant' });
    try {
      const c = await client(sb.url);
      const created = await c.create('collection', '/v1_0/requesttopay', payment('256774000001'));
      expect((await c.get('collection', `/v1_0/requesttopay/${created.referenceId}`)).body.status).toBe('SUCCESSFUL');
    } finally {
      await sb.close();
    }
  });
});

describe('delay mode', () => {
  it('keeps a collection PENDING until approvalDelayMs has passed on the sandbox clock', async () => {
    const sb = await withSandbox({ approval: 'delay', approvalDelayMs: 600_000 });
    try {
      const c = await client(sb.url);
      const created = await c.create('collection', '/v1_0/requesttopay', payment('256774000002'));
      const failing = await c.create('collection', '/v1_0/requesttopay', payment('46733123451'));
      const transfer = await c.create('disbursement', '/v1_0/transfer', transferBody('256774000003'));
      expect((await c.get('collection', `/v1_0/requesttopay/${created.referenceId}`)).body).toMatchObject({ status: 'PENDING' });
      expect((await c.get('collection', `/v1_0/requesttopay/${created.referenceId}`)).body).not.toHaveProperty('financialTransactionId');
      expect((await c.get('collection', `/v1_0/requesttopay/${failing.referenceId}`)).body.status).toBe('PENDING');
      expect((await c.get('disbursement', `/v1_0/transfer/${transfer.referenceId}`)).body.status).toBe('SUCCESSFUL');
      sb.sandbox.control.advanceClock(599_000);
      expect((await c.get('collection', `/v1_0/requesttopay/${created.referenceId}`)).body.status).toBe('PENDING');
      sb.sandbox.control.advanceClock(1_000);
      expect((await c.get('collection', `/v1_0/requesttopay/${created.referenceId}`)).body.status).toBe('SUCCESSFUL');
      expect((await c.get('collection', `/v1_0/requesttopay/${failing.referenceId}`)).body).toMatchObject({ status: 'FAILED', reason: 'APPROVAL_REJECTED' });
    } finally {
      await sb.close();
    }
  });

  it('finishes by itself on a real timer, with nobody reading the status', async () => {
    const sb = await withSandbox({ approval: 'delay', approvalDelayMs: 50 });
    const hook = await listener();
    try {
      const c = await client(sb.url);
      await c.create('collection', '/v1_0/requesttopay', payment('256774000004'), { 'X-Callback-Url': `${hook.url}/momo` });
      // The callback is sent when the transaction finishes; only the deadline timer can finish it here.
      const received = await eventually(() => hook.received[0]);
      expect(received.body).toMatchObject({ status: 'SUCCESSFUL' });
    } finally {
      await sb.close();
      await hook.close();
    }
  });
});

describe('handset mode', () => {
  let sb: RunningSandbox;
  let c: Client;
  const api = (path: string) => `/handset/api${path}`;
  beforeAll(async () => {
    sb = await withSandbox({ approval: 'handset', approvalTimeoutS: 300 });
    c = await client(sb.url);
  });
  afterAll(() => sb.close());
  beforeEach(() => sb.sandbox.control.reset());

  it('lists the pending request on the payer handset with amount, currency, note and countdown', async () => {
    const created = await c.create('collection', '/v1_0/requesttopay', payment('+256774000010', { amount: '25.00', payeeNote: 'Sokoni order 7' }));
    expect((await c.get('collection', `/v1_0/requesttopay/${created.referenceId}`)).body.status).toBe('PENDING');
    const pending = await call(sb.url, 'GET', api('/pending?msisdn=256774000010'));
    expect(pending.status).toBe(200);
    expect(pending.body.msisdn).toBe('256774000010');
    expect(pending.body.requests).toEqual([
      expect.objectContaining({ referenceId: created.referenceId, amount: '25.00', currency: 'EUR', payeeNote: 'Sokoni order 7', secondsLeft: 300, operation: 'requesttopay' }),
    ]);
    // No list of every waiting number (#10): the handset answers only for the number asked about.
    expect((await call(sb.url, 'GET', api('/msisdns'))).status).toBe(404);
    sb.sandbox.control.advanceClock(100_000);
    expect((await call(sb.url, 'GET', api('/pending?msisdn=%2B256774000010'))).body.requests[0].secondsLeft).toBe(200);
    expect((await call(sb.url, 'GET', api('/pending'))).status).toBe(400);
  });

  it('approves with a PIN: SUCCESSFUL, money moved, gone from the handset', async () => {
    const created = await c.create('collection', '/v1_0/requesttopay', payment('256774000011', { amount: '7' }));
    const noPin = await call(sb.url, 'POST', api(`/requests/${created.referenceId}/approve`), { body: {} });
    expect(noPin.status).toBe(400);
    const badPin = await call(sb.url, 'POST', api(`/requests/${created.referenceId}/approve`), { body: { pin: '12' } });
    expect(badPin.status).toBe(400);
    const approved = await call(sb.url, 'POST', api(`/requests/${created.referenceId}/approve`), { body: { pin: '1234' } });
    expect(approved.status).toBe(200);
    expect(approved.body).toEqual({ referenceId: created.referenceId, status: 'SUCCESSFUL', reason: null, message: 'Approved. You paid 7 EUR for Order 1.' });
    expect((await c.get('collection', `/v1_0/requesttopay/${created.referenceId}`)).body).toMatchObject({ status: 'SUCCESSFUL', financialTransactionId: expect.any(String) });
    expect((await call(sb.url, 'GET', api('/pending?msisdn=256774000011'))).body.requests).toEqual([]);
    expect((await c.get('collection', '/v1_0/account/balance')).body.availableBalance).toBe('7');
    const twice = await call(sb.url, 'POST', api(`/requests/${created.referenceId}/approve`), { body: { pin: '1234' } });
    expect(twice.status).toBe(409);
  });

  it('approval fails with NOT_ENOUGH_FUNDS when the wallet cannot cover it', async () => {
    sb.sandbox.control.setBalance({ customer: '256774000012' }, 'EUR', '1');
    const created = await c.create('collection', '/v1_0/requesttopay', payment('256774000012', { amount: '2' }));
    const approved = await call(sb.url, 'POST', api(`/requests/${created.referenceId}/approve`), { body: { pin: '0000' } });
    expect(approved.body).toEqual({ referenceId: created.referenceId, status: 'FAILED', reason: 'NOT_ENOUGH_FUNDS', message: 'Not paid: your wallet does not have 2 EUR.' });
  });

  it('rejects: FAILED APPROVAL_REJECTED', async () => {
    const created = await c.create('collection', '/v2_0/requesttowithdraw', payment('256774000013'));
    const rejected = await call(sb.url, 'POST', api(`/requests/${created.referenceId}/reject`), { body: {} });
    expect(rejected.body).toMatchObject({ status: 'FAILED', reason: 'APPROVAL_REJECTED' });
    expect((await c.get('collection', `/v1_0/requesttowithdraw/${created.referenceId}`)).body).toMatchObject({ status: 'FAILED', reason: 'APPROVAL_REJECTED' });
  });

  it('answers unknown ids with 404 and non-JSON posts with 415', async () => {
    expect((await call(sb.url, 'POST', api('/requests/00000000-0000-4000-8000-000000000000/reject'), { body: {} })).status).toBe(404);
    const created = await c.create('collection', '/v1_0/requesttopay', payment('256774000014'));
    const form = await call(sb.url, 'POST', api(`/requests/${created.referenceId}/approve`), { raw: 'pin=1234', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
  });

  it('fails an unanswered request with COULD_NOT_PERFORM_TRANSACTION after approvalTimeoutS', async () => {
    const created = await c.create('collection', '/v1_0/requesttopay', payment('256774000015'));
    sb.sandbox.control.advanceClock(299_000);
    expect(sb.sandbox.control.transaction(created.referenceId)?.status).toBe('PENDING');
    sb.sandbox.control.advanceClock(1_000);
    expect(sb.sandbox.control.transaction(created.referenceId)?.body).toMatchObject({ status: 'FAILED', reason: 'COULD_NOT_PERFORM_TRANSACTION' });
    expect((await call(sb.url, 'GET', api('/pending?msisdn=256774000015'))).body.requests).toEqual([]);
    const late = await call(sb.url, 'POST', api(`/requests/${created.referenceId}/approve`), { body: { pin: '1234' } });
    expect(late.status).toBe(409);
  });

  it('does not ask the handset about transfers or test numbers', async () => {
    const transfer = await c.create('disbursement', '/v1_0/transfer', transferBody('256774000016'));
    expect((await c.get('disbursement', `/v1_0/transfer/${transfer.referenceId}`)).body.status).toBe('SUCCESSFUL');
    const failing = await c.create('collection', '/v1_0/requesttopay', payment('46733123457'));
    expect((await c.get('collection', `/v1_0/requesttopay/${failing.referenceId}`)).body).toMatchObject({ status: 'FAILED', reason: 'NOT_ALLOWED' });
    expect((await call(sb.url, 'GET', api('/pending?msisdn=46733123457'))).body.requests).toEqual([]);
  });

  it('holds tens of thousands of pending requests', async () => {
    const core = createSandbox({ approval: 'handset', createsPerS: 0 });
    try {
      const { apiUser, apiKey } = core.control.provision('localhost');
      const app = express().use(core.router);
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const tok = await call(url, 'POST', '/collection/token/', { headers: { 'Ocp-Apim-Subscription-Key': 'k', Authorization: `Basic ${Buffer.from(`${apiUser}:${apiKey}`).toString('base64')}` } });
      const headers = { 'Ocp-Apim-Subscription-Key': 'k', Authorization: `Bearer ${tok.body.access_token}`, 'X-Target-Environment': 'sandbox' };
      const total = 20_000;
      for (let i = 0; i < total; i += 200) {
        await Promise.all(
          Array.from({ length: 200 }, (_, j) =>
            call(url, 'POST', '/collection/v1_0/requesttopay', { headers: { ...headers, 'X-Reference-Id': crypto.randomUUID() }, body: payment(String(256775000000 + ((i + j) % 500))) }),
          ),
        );
      }
      expect(core.control.transactions({ status: 'PENDING' })).toHaveLength(total);
      core.control.advanceClock(300_000);
      expect(core.control.transactions({ status: 'PENDING' })).toHaveLength(0);
      server.closeAllConnections();
      server.close();
    } finally {
      core.close();
    }
  }, 120_000);
});

describe('the handset page', () => {
  it('is served under the mount point with no inline script or style, and its assets load', async () => {
    const sandbox = createSandbox({ approval: 'handset' });
    const app = express();
    app.use('/sandbox', sandbox.router);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const page = await call(url, 'GET', '/sandbox/handset?msisdn=256774000020');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(page.text).toContain('src="/sandbox/handset/assets/handset.js"');
      expect(page.text).toContain('href="/sandbox/handset/assets/handset.css"');
      expect(page.text).toContain('data-api="/sandbox/handset/api"');
      expect(page.text).toContain('value="256774000020"');
      expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(page.text).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
      const js = await call(url, 'GET', '/sandbox/handset/assets/handset.js');
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toMatch(/javascript/);
      expect(js.text).toContain('/requests/');
      const css = await call(url, 'GET', '/sandbox/handset/assets/handset.css');
      expect(css.headers.get('content-type')).toMatch(/text\/css/);
      expect((await call(url, 'GET', '/sandbox/handset/assets/nope.js')).status).toBe(404);
      const escaped = await call(url, 'GET', '/sandbox/handset?msisdn=%22%3E%3Cscript%3E');
      expect(escaped.text).not.toContain('"><script>');
    } finally {
      server.closeAllConnections();
      server.close();
      sandbox.close();
    }
  });
});
