// The console over real HTTP on the real Sokoni: signing in, sessions and their cookie, CSRF,
// finding an order, its page, a payout retry by an operator and a forged one by a viewer.
import { afterEach, describe, expect, it } from 'vitest';
import { pay, sellerWithProduct, waitForOrder, isFinal } from '../checkout/helpers';
import { auditRowsOf, Browser, PASSWORD, signedIn, startConsole, type ConsoleStore } from './helpers';

let store: ConsoleStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

const shopper = '256772345678';

describe('signing in', () => {
  it('sends a browser without a session to sign in, and gives one answer for an unknown email and a wrong password', async () => {
    store = await startConsole();
    const browser = new Browser(store.sokoni.url);
    const page = await browser.get('/admin/orders');
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/admin/sign-in?next=%2Fadmin%2Forders');
    const unknown = await browser.signIn('nobody@example.com');
    const wrong = await browser.signIn('owner@example.com', 'not the password');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const message = (html: string) => /<p class="alert" role="alert">([^<]*)<\/p>/.exec(html)?.[1];
    expect(message(unknown.text)).toBe('That email, password and code do not match an active account.');
    expect(message(wrong.text)).toBe(message(unknown.text));
  });

  it('sets an HttpOnly, SameSite=Strict session cookie, new at each sign-in, and ends it at sign-out', async () => {
    store = await startConsole();
    const browser = new Browser(store.sokoni.url);
    const res = await browser.signIn('viewer@example.com');
    expect(res.status).toBe(303);
    const line = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('sokoni.session='))!;
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Strict/);
    expect(line).not.toMatch(/Secure/);
    const first = browser.cookie('sokoni.session')!;
    expect((await browser.get('/admin')).status).toBe(200);
    // Signing in again while signed in (the form on any page carries the token) rotates the id.
    await browser.post('/admin/sign-in', { email: 'viewer@example.com', password: PASSWORD }, { from: '/admin/account' });
    expect(browser.cookie('sokoni.session')).not.toBe(first);
    expect((await supertestGet(store, '/admin', `sokoni.session=${first}`)).status).toBe(303);
    await browser.post('/admin/sign-out', {});
    expect((await browser.get('/admin')).status).toBe(303);
    expect((await auditRowsOf(store)).map((r) => r.action)).toEqual(expect.arrayContaining(['sign_in', 'sign_out']));
  });

  it('uses the __Host- prefix and Secure under an https PUBLIC_URL', async () => {
    store = await startConsole({ PUBLIC_URL: 'https://shop.example.com' });
    const browser = new Browser(store.sokoni.url);
    const res = await browser.signIn('viewer@example.com');
    const line = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.includes('sokoni.session='))!;
    expect(line).toMatch(/^__Host-sokoni\.session=/);
    expect(line).toMatch(/Secure/);
    expect(line).toMatch(/Path=\//);
  });

  it('refuses a form without its CSRF token, and changes nothing', async () => {
    store = await startConsole();
    const owner = await signedIn(store, 'owner');
    const before = (await auditRowsOf(store)).length;
    const res = await owner.post('/admin/people', { email: 'new@example.com', role: 'viewer', password: 'another long password' }, { csrf: false });
    expect(res.status).toBe(403);
    expect(res.text).toContain('did not come from this shop');
    expect((await store.accounts.people()).map((p) => p.email)).not.toContain('new@example.com');
    expect((await auditRowsOf(store)).length).toBe(before);
  });

  it('throttles sign-in with 429 and Retry-After after a few failures', async () => {
    store = await startConsole();
    const browser = new Browser(store.sokoni.url);
    for (let i = 0; i < 3; i += 1) expect((await browser.signIn('operator@example.com', 'wrong password!!')).status).toBe(401);
    const blocked = await browser.signIn('operator@example.com');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });
});

async function supertestGet(s: ConsoleStore, path: string, cookie: string) {
  const { default: request } = await import('supertest');
  return request(s.sokoni.url).get(path).set('accept', 'text/html').set('cookie', cookie);
}

describe('orders', () => {
  it('finds an order by the last digits of the phone, shows its timeline, and lets an operator send a payout waiting for funds', async () => {
    store = await startConsole();
    const { productId } = await sellerWithProduct(store, '256772000777', 2000);
    store.control.setBalance({ account: 'disbursement' }, 'EUR', '0');
    const placed = await pay(store, { productId, qty: 1, phone: shopper }, 2);
    const id = placed.body.id as string;
    await waitForOrder(store, id, (o) => o.payout?.status === 'waiting_funds');

    const operator = await signedIn(store, 'operator');
    const json = await operator.get('/api/orders?q=5678', 'application/json');
    expect(json.status).toBe(200);
    expect(json.body.orders.map((o: { id: string }) => o.id)).toEqual([id]);
    expect(json.body.orders[0]).toMatchObject({ status: 'paid', payoutStatus: 'waiting_funds', phone: '2567*****678', amountMinor: 2000 });
    expect((await operator.get('/api/orders?q=9999', 'application/json')).body.orders).toEqual([]);
    expect((await operator.get('/api/orders?status=nope', 'application/json')).body.error).toMatchObject({ field: 'status' });

    const detail = await operator.get(`/admin/orders/${id}`);
    expect(detail.text).toContain('Timeline');
    expect(detail.text).toContain('Retry payout');
    expect(detail.text).toContain(placed.body.payment.referenceId);

    store.control.setBalance({ account: 'disbursement' }, 'EUR', '100');
    const retried = await operator.post(`/admin/orders/${id}/retry-payout`, {}, { from: `/admin/orders/${id}` });
    expect(retried.status).toBe(303);
    expect(retried.headers.location).toBe(`/admin/orders/${id}`);
    expect((await waitForOrder(store, id, isFinal)).status).toBe('settled');
    const [entry] = await auditRowsOf(store, 'payout.retry');
    expect(entry).toMatchObject({ actorEmail: 'operator@example.com', actorRole: 'operator', objectId: id, outcome: 'done' });
    expect(JSON.parse(entry!.before!)).toEqual({ status: 'paid', payout: 'waiting_funds' });
    expect(JSON.parse(entry!.after!)).toMatchObject({ status: 'paid' });
  });

  it('shows a viewer the order without the retry button, and refuses and audits a forged retry', async () => {
    store = await startConsole();
    const { productId } = await sellerWithProduct(store, '256772000778', 2000);
    store.control.setBalance({ account: 'disbursement' }, 'EUR', '0');
    const placed = await pay(store, { productId, qty: 1, phone: shopper }, 2);
    const id = placed.body.id as string;
    await waitForOrder(store, id, (o) => o.payout?.status === 'waiting_funds');
    const viewer = await signedIn(store, 'viewer');
    const detail = await viewer.get(`/admin/orders/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('Waiting for funds');
    expect(detail.text).not.toContain('Retry payout');
    const forged = await viewer.post(`/admin/orders/${id}/retry-payout`, {}, { from: `/admin/orders/${id}` });
    expect(forged.status).toBe(403);
    expect((await waitForOrder(store, id, () => true)).payout).toMatchObject({ status: 'waiting_funds' });
    expect(await auditRowsOf(store, 'forbidden')).toEqual([
      expect.objectContaining({ actorEmail: 'viewer@example.com', actorRole: 'viewer', objectId: id, outcome: 'refused' }),
    ]);

    // An operator retries it from Needs attention, and lands back there.
    const operator = await signedIn(store, 'operator');
    const attention = await operator.get('/admin/attention');
    expect(attention.text).toContain(`/admin/orders/${id}/retry-payout`);
    const retried = await operator.post(`/admin/orders/${id}/retry-payout`, { back: 'attention' }, { from: '/admin/attention' });
    expect(retried.headers.location).toBe('/admin/attention');
    expect(await auditRowsOf(store, 'payout.retry')).toEqual([expect.objectContaining({ actorEmail: 'operator@example.com', outcome: 'done' })]);
  });

  it('pages with a next cursor until the last page', async () => {
    store = await startConsole();
    for (let i = 0; i < 3; i += 1) await pay(store, { productId: (await import('../checkout/helpers')).demoProductId, qty: 1, phone: shopper });
    const viewer = await signedIn(store, 'viewer');
    const first = await viewer.get('/api/orders?limit=2', 'application/json');
    expect(first.body.orders).toHaveLength(2);
    expect(first.body.next).toEqual(expect.any(String));
    const second = await viewer.get(`/api/orders?limit=2&cursor=${first.body.next}`, 'application/json');
    expect(second.body.orders).toHaveLength(1);
    expect(second.body.next).toBeNull();
    const all = [...first.body.orders, ...second.body.orders].map((o: { id: string }) => o.id);
    expect(new Set(all).size).toBe(3);
    expect((await viewer.get('/api/orders?cursor=bogus', 'application/json')).body.error).toMatchObject({ field: 'cursor' });
  });
});

describe('people and API keys', () => {
  it('lets an owner add an operator who can then sign in, and audits it', async () => {
    store = await startConsole();
    const owner = await signedIn(store, 'owner');
    const added = await owner.post('/admin/people', { email: 'new.op@example.com', role: 'operator', password: 'brand new passphrase' }, { from: '/admin/people' });
    expect(added.status).toBe(200);
    expect(added.text).toContain('Added new.op@example.com as operator');
    const weak = await owner.post('/admin/people', { email: 'weak@example.com', role: 'operator', password: 'short' }, { from: '/admin/people' });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('at least 12 characters');
    const newcomer = new Browser(store.sokoni.url);
    expect((await newcomer.signIn('new.op@example.com', 'brand new passphrase')).status).toBe(303);
    expect((await auditRowsOf(store, 'person.create')).at(-1)).toMatchObject({ actorEmail: 'owner@example.com', outcome: 'done' });
  });

  it('gives a key once, which then acts with its person’s role', async () => {
    store = await startConsole();
    const viewer = await signedIn(store, 'viewer');
    const made = await viewer.post('/admin/account/api-keys', { label: 'reports' });
    const key = /class="mono key">(sok_[^<]+)</.exec(made.text)?.[1];
    expect(key).toBeDefined();
    expect((await viewer.get('/admin/account')).text).not.toContain(key!);
    const { default: request } = await import('supertest');
    const api = request(store.sokoni.url);
    expect((await api.get('/api/orders').set('authorization', `Bearer ${key}`)).status).toBe(200);
    const refused = await api.post(`/api/orders/${crypto.randomUUID()}/payout/retry`).set('authorization', `Bearer ${key}`);
    expect(refused.status).toBe(403);
    expect((await api.get('/api/orders').set('authorization', 'Bearer sok_wrong')).status).toBe(401);
  });
});
