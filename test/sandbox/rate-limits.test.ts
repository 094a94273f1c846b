// MoMo's rate limits (#16): per product, status reads and creates in any one-second window, 429
// beyond, counted in /_control/calls, 0 for no limit, changeable at run time. The sandbox clock is
// frozen here, so "within one second" never depends on how fast the machine is.
import { afterEach, describe, expect, it } from 'vitest';
import { sandboxSettingsFromEnv, startSandbox, type RunningSandbox } from '../../src/sandbox';
import { call, client, payment, transferBody, withSandbox, type Client } from './helpers';

const FROZEN = Date.parse('2026-01-01T00:00:00Z');
let sb: RunningSandbox | null = null;
afterEach(async () => {
  await sb?.close();
  sb = null;
});

async function start(limits: { statusReadsPerS: number; createsPerS: number }): Promise<{ sb: RunningSandbox; c: Client }> {
  sb = await withSandbox({ ...limits, now: () => FROZEN });
  return { sb, c: await client(sb.url) };
}

const TOO_MANY = { statusCode: 429, message: 'Rate limit is exceeded. Try again in 1 seconds.' };

describe('rate limits', () => {
  it('allows statusReadsPerS status reads per product in a second, then answers 429 until the second has passed', async () => {
    const { sb, c } = await start({ statusReadsPerS: 3, createsPerS: 0 });
    const paid = await c.create('collection', '/v1_0/requesttopay', payment('256771000001'));
    const sent = await c.create('disbursement', '/v1_0/transfer', transferBody('256771000002'));
    const read = () => c.get('collection', `/v1_0/requesttopay/${paid.referenceId}`);
    for (let i = 0; i < 3; i++) expect((await read()).status).toBe(200);
    const over = await read();
    expect(over.status).toBe(429);
    expect(over.body).toEqual(TOO_MANY);
    expect(over.headers.get('retry-after')).toBe('1');
    // Another product has its own window; other calls of the same product are not status reads.
    expect((await c.get('disbursement', `/v1_0/transfer/${sent.referenceId}`)).status).toBe(200);
    expect((await c.get('collection', '/v1_0/account/balance')).status).toBe(200);
    sb.sandbox.control.advanceClock(999);
    expect((await read()).status).toBe(429);
    sb.sandbox.control.advanceClock(1);
    expect((await read()).status).toBe(200);
    const calls = (await call(sb.url, 'GET', '/_control/calls')).body;
    expect(calls.byEndpoint['GET /collection/v1_0/requesttopay/{referenceId}'].statuses).toEqual({ '200': 4, '429': 2 });
  });

  it('allows createsPerS creates per product in a second; a refused create creates nothing', async () => {
    const { sb, c } = await start({ statusReadsPerS: 0, createsPerS: 2 });
    expect((await c.create('collection', '/v1_0/requesttopay', payment('256771000003'))).status).toBe(202);
    expect((await c.create('collection', '/v2_0/requesttowithdraw', payment('256771000003'))).status).toBe(202);
    const over = await c.create('collection', '/v1_0/requesttopay', payment('256771000003'));
    expect(over.status).toBe(429);
    expect(over.body).toEqual(TOO_MANY);
    expect((await c.get('collection', `/v1_0/requesttopay/${over.referenceId}`)).status).toBe(404);
    expect((await c.create('disbursement', '/v1_0/transfer', transferBody('256771000004'))).status).toBe(202);
    expect(sb.sandbox.control.transactions()).toHaveLength(3);
    expect(sb.sandbox.control.calls().byEndpoint['POST /collection/v1_0/requesttopay']!.statuses).toEqual({ '202': 1, '429': 1 });
  });

  it('has no limit at 0, and both limits change at run time through /_control/settings', async () => {
    const { sb, c } = await start({ statusReadsPerS: 0, createsPerS: 0 });
    const paid = await c.create('collection', '/v1_0/requesttopay', payment('256771000005'));
    const read = () => c.get('collection', `/v1_0/requesttopay/${paid.referenceId}`);
    for (let i = 0; i < 30; i++) expect((await read()).status).toBe(200);
    const changed = await call(sb.url, 'PATCH', '/_control/settings', { body: { statusReadsPerS: 1, createsPerS: 1 } });
    expect(changed.body).toMatchObject({ statusReadsPerS: 1, createsPerS: 1 });
    expect((await read()).status).toBe(200);
    expect((await read()).status).toBe(429);
    expect((await c.create('collection', '/v1_0/requesttopay', payment('256771000005'))).status).toBe(202);
    expect((await c.create('collection', '/v1_0/requesttopay', payment('256771000005'))).status).toBe(429);
    expect((await call(sb.url, 'PATCH', '/_control/settings', { body: { statusReadsPerS: -1 } })).status).toBe(400);
    expect((await call(sb.url, 'PATCH', '/_control/settings', { body: { createsPerS: 0.5 } })).body.error).toMatch(/createsPerS/);
  });

  it('limits by default to the documented 10 status reads a second, and reads SANDBOX_*_PER_S from the environment', async () => {
    sb = await startSandbox({ approval: 'instant', now: () => FROZEN }, { port: 0 });
    const c = await client(sb.url);
    const paid = await c.create('collection', '/v1_0/requesttopay', payment('256771000006'));
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await c.get('collection', `/v1_0/requesttopay/${paid.referenceId}`)).status);
    expect(statuses).toEqual([...Array<number>(10).fill(200), 429]);
    expect(sb.sandbox.control.settings().createsPerS).toBe(50);
    const loaded = sandboxSettingsFromEnv({ SANDBOX_STATUS_READS_PER_S: '0', SANDBOX_CREATES_PER_S: '7' });
    expect('settings' in loaded && [loaded.settings.statusReadsPerS, loaded.settings.createsPerS]).toEqual([0, 7]);
    expect('problems' in sandboxSettingsFromEnv({ SANDBOX_CREATES_PER_S: '-1' })).toBe(true);
  });
});
