// Every console action leaves its audit entry; the audit log filters and exports; owners are
// made to set up a second factor under OWNER_2FA; the order list updates live; Today says when
// MoMo does not answer; ADMIN_TOKEN warns at start-up.
import { afterEach, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/accounts';
import type { Logger } from '../../src/log';
import { demoProductId, pay, sellerWithProduct, startStore, waitForOrder, type Store } from '../checkout/helpers';
import http from 'node:http';
import { inlineCode } from '../web/storefront-helpers';
import { auditRowsOf, Browser, PASSWORD, signedIn, startConsole, type ConsoleStore } from './helpers';
import { postgresBehindDoor } from './database-door';
import { onPostgres } from '../db/test-database';

let store: ConsoleStore | Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

describe('the audit log', () => {
  it('has an entry, with before and after, for every action in the console', async () => {
    const s = (store = await startConsole());
    const owner = await signedIn(s, 'owner');
    const viewerId = s.people.get('viewer')!.id;
    await owner.post(`/admin/people/${viewerId}/role`, { role: 'operator' }, { from: '/admin/people' });
    await owner.post(`/admin/people/${viewerId}/disable`, {}, { from: '/admin/people' });
    await owner.post(`/admin/people/${viewerId}/enable`, {}, { from: '/admin/people' });
    const reset = await owner.post(`/admin/people/${viewerId}/reset`, {}, { from: '/admin/people' });
    const oneTime = /New password for viewer@example.com: <strong class="mono">([^<]+)</.exec(reset.text)?.[1];
    expect(oneTime).toBeDefined();
    expect((await new Browser(s.sokoni.url).signIn('viewer@example.com', oneTime)).status).toBe(303);
    const made = await owner.post('/admin/account/api-keys', { label: 'exports' });
    const keyId = (await s.accounts.apiKeys(s.people.get('owner')!.id))[0]!.id;
    expect(made.status).toBe(200);
    await owner.post(`/admin/account/api-keys/${keyId}/revoke`, {});
    const wrong = await owner.post('/admin/account/password', { currentPassword: 'not my password', newPassword: 'a brand new passphrase' });
    expect(wrong.status).toBe(422);
    const changed = await owner.post('/admin/account/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' });
    expect(changed.text).toContain('Your password is changed.');
    await owner.post('/admin/sign-out', {});
    expect((await new Browser(s.sokoni.url).signIn('owner@example.com', 'a brand new passphrase')).status).toBe(303);

    const actions = (await auditRowsOf(s)).filter((r) => r.actorEmail === 'owner@example.com').map((r) => r.action);
    expect(actions).toEqual(['sign_in', 'person.role', 'person.disable', 'person.enable', 'person.reset', 'api_key.create', 'api_key.revoke', 'person.password', 'sign_out', 'sign_in']);
    const role = (await auditRowsOf(s, 'person.role'))[0]!;
    expect([JSON.parse(role.before!).role, JSON.parse(role.after!).role]).toEqual(['viewer', 'operator']);
    const disable = (await auditRowsOf(s, 'person.disable'))[0]!;
    expect([JSON.parse(disable.before!).disabled, JSON.parse(disable.after!).disabled]).toEqual([false, true]);
    // A one-time password is never written down, not even in the audit log.
    expect(JSON.stringify(await auditRowsOf(s))).not.toContain(oneTime!);
  });

  it('records an API write made with a key, and refuses one beyond the key’s role', async () => {
    const s = (store = await startConsole());
    const operator = await signedIn(s, 'operator');
    const key = /class="mono key">(sok_[^<]+)</.exec((await operator.post('/admin/account/api-keys', { label: 'catalogue sync' })).text)![1]!;
    const created = await s.http.post('/api/sellers').set('authorization', `Bearer ${key}`).send({ name: 'Kato Farm', msisdn: '256772000321' });
    expect(created.status).toBe(201);
    expect(await auditRowsOf(s, 'POST /api/sellers')).toEqual([expect.objectContaining({ actorEmail: 'operator@example.com', outcome: 'done' })]);
    const viewer = await signedIn(s, 'viewer');
    const viewerKey = /class="mono key">(sok_[^<]+)</.exec((await viewer.post('/admin/account/api-keys', { label: 'read only' })).text)![1]!;
    expect((await s.http.post('/api/sellers').set('authorization', `Bearer ${viewerKey}`).send({ name: 'X', msisdn: '256772000322' })).status).toBe(403);
    expect((await auditRowsOf(s, 'forbidden')).at(-1)).toMatchObject({ actorEmail: 'viewer@example.com', outcome: 'refused' });
  });

  it('filters by person and exports the same entries as CSV', async () => {
    const s = (store = await startConsole());
    await signedIn(s, 'viewer');
    const owner = await signedIn(s, 'owner');
    const page = await owner.get('/admin/audit?actor=viewer%40example.com');
    expect(page.status).toBe(200);
    expect(page.text).toContain('viewer@example.com');
    expect(page.text).not.toContain('>owner@example.com<');
    const csv = await owner.get('/admin/audit.csv?actor=viewer%40example.com');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('id,at,actor_email,actor_role,via,action,object_type,object_id,before,after,outcome,address');
    expect(lines.slice(1).every((line) => line.includes(',viewer@example.com,'))).toBe(true);
    expect(lines.length).toBeGreaterThan(1);
    expect((await owner.get('/admin/audit?from=yesterday')).status).toBe(400);
  });
});

describe('pages', () => {
  it('have no inline script or style (the CSP forbids both)', async () => {
    const s = (store = await startConsole());
    const id = (await pay(s, { productId: demoProductId, qty: 1, phone: '256772000446' })).body.id as string;
    const owner = await signedIn(s, 'owner');
    const sellerId = (await s.sokoni.sql.get<{ id: string }>('SELECT id FROM sellers LIMIT 1'))!.id;
    const pages = ['/admin', '/admin/orders', `/admin/orders/${id}`, `/admin/orders/${id}/live`, '/admin/attention', '/admin/people', '/admin/audit', '/admin/account', '/admin/account/two-factor'];
    pages.push('/admin/sellers', `/admin/sellers/${sellerId}`, '/admin/products', `/admin/products/${demoProductId}`);
    for (const path of pages) {
      const page = await owner.get(path);
      expect(page.status, path).toBe(200);
      expect(inlineCode(page.text), path).toEqual([]);
    }
    expect(inlineCode((await new Browser(s.sokoni.url).get('/admin/sign-in')).text)).toEqual([]);
  });
});

describe('OWNER_2FA', () => {
  it('sends an owner without a second factor to set one up, and then asks for the code at sign-in', async () => {
    const s = (store = await startConsole({ OWNER_2FA: 'true' }));
    const owner = new Browser(s.sokoni.url);
    const signIn = await owner.signIn('owner@example.com');
    expect(signIn.headers.location).toBe('/admin/account/two-factor');
    expect((await owner.get('/admin/orders')).headers.location).toBe('/admin/account/two-factor');
    expect((await owner.get('/api/orders', 'application/json')).status).toBe(403);
    const setup = await owner.get('/admin/account/two-factor');
    const secret = /<p class="mono key">([A-Z2-7]{32})<\/p>/.exec(setup.text)![1]!;
    const wrong = await owner.post('/admin/account/two-factor', { secret, code: '000000' }, { from: '/admin/account/two-factor' });
    expect(wrong.status).toBe(422);
    const right = await owner.post('/admin/account/two-factor', { secret, code: totpCode(secret, Date.now()) }, { from: '/admin/account/two-factor' });
    expect(right.headers.location).toBe('/admin');
    expect((await owner.get('/admin/orders')).status).toBe(200);
    const again = new Browser(s.sokoni.url);
    expect((await again.signIn('owner@example.com')).status).toBe(401);
    expect((await again.signIn('owner@example.com', PASSWORD, totpCode(secret, Date.now()))).status).toBe(303);
    // Operators are not held to it.
    expect((await new Browser(s.sokoni.url).signIn('operator@example.com')).headers.location).toBe('/admin');
  });
});

describe('live and health', () => {
  it('streams a status change of an order on the list', async () => {
    const s = (store = await startConsole());
    const { productId } = await sellerWithProduct(s, '256772000444', 2000);
    s.control.setBalance({ account: 'disbursement' }, 'EUR', '0');
    const id = (await pay(s, { productId, qty: 1, phone: '256772000445' }, 2)).body.id as string;
    await waitForOrder(s, id, (o) => o.payout?.status === 'waiting_funds');
    const operator = await signedIn(s, 'operator');
    const seen: Record<string, unknown>[] = [];
    const stream = http.get(`${s.sokoni.url}/admin/orders/live?ids=${id}`, { headers: { cookie: operator.cookieHeader } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) if (line.startsWith('data: ')) seen.push(JSON.parse(line.slice(6)) as Record<string, unknown>);
      });
    });
    stream.on('error', () => undefined);
    // Once the answer's headers are here the server is watching the order.
    await new Promise((resolve) => stream.once('response', resolve));
    s.control.setBalance({ account: 'disbursement' }, 'EUR', '100');
    await operator.post(`/admin/orders/${id}/retry-payout`, {}, { from: `/admin/orders/${id}` });
    const deadline = Date.now() + 15_000;
    while (!seen.some((e) => e.status === 'settled') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(seen.map((e) => e.status)).toContain('settled');
    expect(seen[0]).toMatchObject({ id });
    stream.destroy();
  });

  it('says on Today when MoMo does not answer', async () => {
    const s = (store = await startConsole());
    const viewer = await signedIn(s, 'viewer');
    expect((await viewer.get('/admin')).text).not.toContain('MTN MoMo is not answering');
    s.control.addFault({ kind: 'error', status: 500, operation: '*.getBalance' });
    const today = await viewer.get('/admin');
    expect(today.status).toBe(200);
    expect(today.text).toContain('MTN MoMo is not answering');
  });

  it('warns at start-up that ADMIN_TOKEN is deprecated', async () => {
    const warnings: string[] = [];
    const log: Logger = { debug() {}, info() {}, error() {}, warn: (event) => warnings.push(event) };
    store = await startStore({}, { log });
    expect(warnings).toContain('admin_token.deprecated');
    await store.close();
    warnings.length = 0;
    store = await startStore({ ADMIN_TOKEN: '' }, { log });
    expect(warnings).not.toContain('admin_token.deprecated');
    expect(demoProductId).toBeDefined();
  });
});

describe('when the database is gone', () => {
  it('says so in words, with a 503, instead of a bare error', async () => {
    // On PostgreSQL, Sokoni reaches its database through a door that shuts as a stopped server's socket goes.
    const door = onPostgres ? await postgresBehindDoor() : null;
    const s = (store = await startConsole(door ? { DATABASE_URL: door.url } : {}));
    const closeStore = s.close.bind(s);
    s.close = async () => {
      await closeStore();
      await door?.close();
    };
    const viewer = await signedIn(s, 'viewer');
    await s.sokoni.checkout.stop();
    if (door) await door.shut();
    else s.sokoni.db.close();
    const page = await viewer.get('/admin');
    expect(page.status).toBe(503);
    expect(page.text).toContain('The database is not answering');
    const api = await viewer.get('/api/orders', 'application/json');
    expect(api.status).toBe(503);
    expect(api.body.error.code).toBe('database_unavailable');
  });
});
