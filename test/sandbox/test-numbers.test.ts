// Every sandbox test identifier of momo-api.md §6.2 gives its documented outcome.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox';
import { client, payment, transferBody, withSandbox, type Client } from './helpers';

let sb: RunningSandbox;
let c: Client;
beforeAll(async () => {
  sb = await withSandbox();
  c = await client(sb.url);
});
afterAll(() => sb.close());

// [test number, the failure reason it gives, or 'PENDING']
const PAYMENT: [string, string][] = [
  ['46733123450', 'INTERNAL_PROCESSING_ERROR'],
  ['46733123451', 'APPROVAL_REJECTED'],
  ['46733123452', 'EXPIRED'],
  ['46733123453', 'PENDING'],
  ['46733123454', 'PENDING'],
  ['46733123455', 'PAYER_NOT_FOUND'],
  ['46733123456', 'PAYEE_NOT_ALLOWED_TO_RECEIVE'],
  ['46733123457', 'NOT_ALLOWED'],
  ['46733123458', 'NOT_ALLOWED_TARGET_ENVIRONMENT'],
  ['46733123459', 'INVALID_CALLBACK_URL_HOST'],
  ['46733123460', 'INVALID_CURRENCY'],
  ['46733123461', 'INTERNAL_PROCESSING_ERROR'],
  ['46733123462', 'SERVICE_UNAVAILABLE'],
  ['46733123463', 'COULD_NOT_PERFORM_TRANSACTION'],
];

const TRANSFER: [string, string][] = [
  ['46733123450', 'INTERNAL_PROCESSING_ERROR'],
  ['46733123451', 'APPROVAL_REJECTED'],
  ['46733123452', 'EXPIRED'],
  ['46733123453', 'PENDING'],
  ['46733123454', 'PENDING'],
  ['46733123455', 'NOT_ENOUGH_FUNDS'],
  ['46733123456', 'PAYER_LIMIT_REACHED'],
  ['46733123457', 'PAYEE_NOT_FOUND'],
  ['46733123458', 'NOT_ALLOWED'],
  ['46733123459', 'NOT_ALLOWED_TARGET_ENVIRONMENT'],
  ['46733123460', 'INVALID_CALLBACK_URL_HOST'],
  ['46733123461', 'INVALID_CURRENCY'],
  ['46733123462', 'INTERNAL_PROCESSING_ERROR'],
  ['46733123463', 'SERVICE_UNAVAILABLE'],
];

/** `expected` is a failure reason, or 'PENDING'. */
function expectOutcome(body: { status?: unknown; reason?: unknown }, expected: string): void {
  if (expected === 'PENDING') {
    expect(body.status).toBe('PENDING');
    expect(body).not.toHaveProperty('reason');
  } else {
    expect(body.status).toBe('FAILED');
    expect(body.reason).toBe(expected);
    expect(body).not.toHaveProperty('financialTransactionId');
  }
}

const OPERATIONS: { name: string; product: string; create: string; status: string; table: typeof PAYMENT; body: (n: string) => unknown }[] = [
  { name: 'requesttopay', product: 'collection', create: '/v1_0/requesttopay', status: '/v1_0/requesttopay', table: PAYMENT, body: (n) => payment(n) },
  { name: 'requesttowithdraw v1', product: 'collection', create: '/v1_0/requesttowithdraw', status: '/v1_0/requesttowithdraw', table: PAYMENT, body: (n) => payment(n) },
  { name: 'requesttowithdraw v2', product: 'collection', create: '/v2_0/requesttowithdraw', status: '/v1_0/requesttowithdraw', table: PAYMENT, body: (n) => payment(n) },
  { name: 'deposit v1', product: 'disbursement', create: '/v1_0/deposit', status: '/v1_0/deposit', table: PAYMENT, body: (n) => transferBody(n) },
  { name: 'deposit v2', product: 'disbursement', create: '/v2_0/deposit', status: '/v1_0/deposit', table: PAYMENT, body: (n) => transferBody(n) },
  { name: 'disbursement transfer', product: 'disbursement', create: '/v1_0/transfer', status: '/v1_0/transfer', table: TRANSFER, body: (n) => transferBody(n) },
  { name: 'remittance transfer', product: 'remittance', create: '/v1_0/transfer', status: '/v1_0/transfer', table: TRANSFER, body: (n) => transferBody(n) },
];

describe.each(OPERATIONS)('$name', (op) => {
  it.each(op.table)('%s → %s', async (msisdn, expected) => {
    const created = await c.create(op.product, op.create, op.body(msisdn));
    expect(created.status).toBe(202);
    const got = await c.get(op.product, `${op.status}/${created.referenceId}`);
    expect(got.status).toBe(200);
    expectOutcome(got.body, expected);
  });

  it('any other number succeeds', async () => {
    const created = await c.create(op.product, op.create, op.body('46733123499'));
    expect((await c.get(op.product, `${op.status}/${created.referenceId}`)).body.status).toBe('SUCCESSFUL');
  });
});

it('453 and 454 stay PENDING even after a long time', async () => {
  const created = await c.create('collection', '/v1_0/requesttopay', payment('46733123454'));
  try {
    // A day later the token has expired too, so the control API reads the status body.
    sb.sandbox.control.advanceClock(24 * 3600 * 1000);
    expect(sb.sandbox.control.transaction(created.referenceId)?.body.status).toBe('PENDING');
  } finally {
    sb.sandbox.control.reset();
  }
  expect((await c.get('collection', `/v1_0/requesttopay/${created.referenceId}`)).status).toBe(404);
});

const HOLDERS: [string, string, string, number, string | boolean][] = [
  ['NotFound', '46733123450', 'notfound@email.com', 404, 'RESOURCE_NOT_FOUND'],
  ['NotActive', '46733123451', 'notactive@email.com', 200, false],
  ['NotAllowed', '46733123452', 'notallowed@email.com', 500, 'NOT_ALLOWED'],
  ['NotAllowedTargetEnvironment', '46733123453', 'notallowedtargetenvironment@email.com', 500, 'NOT_ALLOWED_TARGET_ENVIRONMENT'],
  ['InternalProcessingError', '46733123454', 'internalprocessingerror@email.com', 500, 'INTERNAL_PROCESSING_ERROR'],
  ['ServiceUnavailable', '46733123455', 'serviceunavailable@email.com', 503, 'SERVICE_UNAVAILABLE'],
];
const PARTY_CODES: Record<string, string> = {
  NotFound: '5cecb5a7-8bd0-4f49-87b1-8eb9ecc7b7bc',
  NotActive: 'b0040b3c-b426-4a90-af6e-673e65861cd7',
  NotAllowed: '4d5f500f-c385-4901-9be5-25b6d36ad220',
  NotAllowedTargetEnvironment: 'd2265f9b-0c22-496d-908f-79a65ad66266',
  InternalProcessingError: '8f548a78-ceb8-4d12-a243-5640b91e91a4',
  ServiceUnavailable: '585c07a4-2c80-42f7-9e73-e586b36dee68',
};

describe.each(['collection', 'disbursement', 'remittance'])('account holder active (%s)', (product) => {
  it.each(HOLDERS)('%s', async (scenario, msisdn, email, status, expected) => {
    for (const [type, id] of [['msisdn', msisdn], ['email', email], ['party_code', PARTY_CODES[scenario]!]]) {
      const answer = await c.get(product, `/v1_0/accountholder/${type}/${id}/active`);
      expect(answer.status).toBe(status);
      if (typeof expected === 'boolean') expect(answer.body).toEqual({ result: expected });
      else expect(answer.body.code).toBe(expected);
    }
  });
});

it('basic user info fails for the account-holder error numbers too', async () => {
  expect((await c.get('collection', '/v1_0/accountholder/msisdn/46733123450/basicuserinfo')).status).toBe(404);
  expect((await c.get('collection', '/v1_0/accountholder/msisdn/46733123455/basicuserinfo')).status).toBe(503);
});
