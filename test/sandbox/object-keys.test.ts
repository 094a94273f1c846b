// Outside input never becomes a key on a plain object (#10): party ids, MSISDNs, asset names,
// query and body keys named "__proto__", "constructor" or "prototype" are plain names, answered
// sanely, and nothing reaches Object.prototype.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox';
import { call, client, payment, transferBody, withSandbox, type Client } from './helpers';

const NAMES = ['__proto__', 'constructor', 'prototype'];

let sb: RunningSandbox;
let c: Client;
beforeAll(async () => {
  sb = await withSandbox();
  c = await client(sb.url);
});
afterAll(() => sb.close());
beforeEach(() => sb.sandbox.control.reset());

const control = (method: string, path: string, body?: unknown) => call(sb.url, method, `/_control${path}`, body === undefined ? {} : { body });
const raw = (method: string, path: string, json: string) => call(sb.url, method, path, { raw: json, headers: { 'Content-Type': 'application/json' } });

function expectNoPollution(): void {
  const probe = {} as Record<string, unknown>;
  expect(probe.EUR).toBeUndefined();
  expect(probe.status).toBeUndefined();
  expect(Object.keys(Object.prototype)).toEqual([]);
}

describe('names that are special to JavaScript objects', () => {
  it('are payees, payers and customers like any other, and the balances list them as plain keys', async () => {
    for (const name of NAMES) {
      const transfer = await c.create('disbursement', '/v1_0/transfer', transferBody(name, { payee: { partyIdType: 'EMAIL', partyId: name } }));
      expect(transfer.status).toBe(202);
      expect((await c.get('disbursement', `/v1_0/transfer/${transfer.referenceId}`)).body.status).toBe('SUCCESSFUL');
      const paid = await c.create('collection', '/v1_0/requesttopay', payment(name, { payer: { partyIdType: 'PARTY_CODE', partyId: name } }));
      expect((await c.get('collection', `/v1_0/requesttopay/${paid.referenceId}`)).body.status).toBe('SUCCESSFUL');
      expect((await control('POST', '/balances', { customer: name, currency: 'EUR', amount: '3' })).status).toBe(200);
    }
    const balances = await control('GET', '/balances');
    expect(balances.status).toBe(200);
    // The text, not the parsed object: JSON.parse would itself treat "__proto__" specially.
    for (const name of NAMES) expect(balances.text).toContain(`"${name}":{"EUR":"3.00"}`);
    expectNoPollution();
  });

  it('are unknown MSISDNs on the handset, unknown asset names and harmless query values', async () => {
    for (const name of NAMES) {
      const pending = await call(sb.url, 'GET', `/handset/api/pending?msisdn=${name}`);
      expect(pending.status).toBe(200);
      expect(pending.body.requests).toEqual([]);
      const asset = await call(sb.url, 'GET', `/handset/assets/${name}`);
      expect(asset.status).toBe(404);
      expect(asset.headers.get('content-type')).not.toBe('false');
      const listed = await control('GET', `/transactions?party=${name}&status=${name}&${name}=x`);
      expect(listed.status).toBe(200);
      expect(listed.body.transactions).toEqual([]);
      expect((await call(sb.url, 'GET', `/collection/v1_0/account/balance`, { headers: c.headers('collection', { 'X-Target-Environment': name }) })).status).toBe(500);
    }
    expect((await control('GET', '/transactions?party=a&party=b')).status).toBe(400);
    expectNoPollution();
  });

  it('are refused as setting names, at the top and nested, and accepted only as environment names', async () => {
    for (const name of NAMES) {
      const top = await raw('PATCH', '/_control/settings', `{"${name}": {"approval": "handset"}}`);
      expect(top.status).toBe(400);
      expect(top.body.error).toContain(`${name}: no such setting`);
      expect((await raw('PATCH', '/_control/settings', `{"faults": {"${name}": 1}}`)).body.error).toContain(`faults.${name}`);
      expect((await raw('PATCH', '/_control/settings', `{"balances": {"${name}": "1"}}`)).body.error).toContain(`balances.${name}`);
    }
    expect((await control('GET', '/settings')).body.approval).toBe('instant');
    const envs = await raw('PATCH', '/_control/settings', '{"currencies": {"sandbox": ["EUR"], "__proto__": ["EUR"]}}');
    expect(envs.status).toBe(200);
    expect(envs.text).toContain('"__proto__":["EUR"]');
    const token = c.headers('collection', { 'X-Target-Environment': '__proto__' });
    expect((await call(sb.url, 'GET', '/collection/v1_0/account/balance', { headers: token })).body).toEqual({ availableBalance: '0', currency: 'EUR' });
    await control('PATCH', '/settings', { currencies: { sandbox: ['EUR'] } });
    expectNoPollution();
  });

  it('are plain keys in faults and handset bodies', async () => {
    expect((await raw('POST', '/_control/faults', '{"kind": "latency", "latencyMs": 0, "__proto__": {"EUR": 1}}')).status).toBe(200);
    const answer = await raw('POST', '/handset/api/requests/00000000-0000-4000-8000-000000000000/approve', '{"pin": "1234", "__proto__": {"EUR": 1}}');
    expect(answer.status).toBe(404);
    expectNoPollution();
  });
});
