// A seller's sign-in and session on the real store: by MoMo number in any written form and
// password, throttled like the console's, one answer for every mistake; the session passes the
// portal's guard (requireSeller) and no console or API guard; sign-out and idle sessions end it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import cookieParser from 'cookie-parser';
import express from 'express';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccounts, SESSION_IDLE_MS } from '../../src/accounts';
import { requireSeller } from '../../src/web/seller-session';
import { auditRows, Browser, signedIn, startConsole, type ConsoleStore } from '../console/helpers';
import { SELLER_PASSWORD, sellerSignedIn, sessionCookieOf } from './helpers';

// The seller's own account page: its forms carry the CSRF token.
const SIGNED_IN_FORM = '/seller/account';

let store: ConsoleStore;
let operator: Browser;
let portal: { url: string; close(): void };

/** A stand-in for the portal: the guard alone (reading the cookie itself), answering whose portal it is. */
function startPortal(): Promise<{ url: string; close(): void }> {
  const app = express();
  app.use(cookieParser());
  app.get('/seller/whoami', requireSeller(createAccounts({ db: store.sokoni.sql, owner2fa: false }), store.config), (_req, res) => {
    res.json(res.locals.seller);
  });
  const server = http.createServer(app);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() })));
}

beforeAll(async () => {
  store = await startConsole();
  operator = await signedIn(store, 'operator');
  portal = await startPortal();
});
afterAll(async () => {
  portal?.close();
  await store?.close();
});

const signIn = (browser: Browser, msisdn: string, password = SELLER_PASSWORD, next?: string) =>
  browser.post('/seller/sign-in', { msisdn, password, ...(next ? { next } : {}) }, { from: '/seller/sign-in' });

const whoami = (browser: Browser, accept = 'text/html') => supertest(portal.url).get('/seller/whoami').set('accept', accept).set('cookie', browser.cookieHeader);

describe('seller sign-in', () => {
  it('takes the MoMo number as people write it, and lands on the page asked for', async () => {
    const { sellerId } = await sellerSignedIn(store, operator, 'Neema Shoes', '46733900201');
    const browser = new Browser(store.sokoni.url);
    const res = await signIn(browser, '+46 733-900 201', SELLER_PASSWORD, '/seller/sales');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/seller/sales');
    const cookieLine = (res.headers['set-cookie'] as unknown as string[]).find((line) => line.startsWith('sokoni.session='))!;
    expect(cookieLine).toMatch(/HttpOnly/);
    expect(cookieLine).toMatch(/SameSite=Strict/);
    expect((await whoami(browser)).body).toMatchObject({ sellerId, caller: { role: 'seller', sellerId } });
    // Only the portal's own paths are somewhere to go back to.
    expect((await signIn(new Browser(store.sokoni.url), '46733900201', SELLER_PASSWORD, 'https://evil.example/')).headers.location).toBe('/seller');
    expect((await signIn(new Browser(store.sokoni.url), '46733900201', SELLER_PASSWORD, '/admin')).headers.location).toBe('/seller');
  });

  it('gives one answer for an unknown number, a wrong password and a non-number, and audits each', async () => {
    await sellerSignedIn(store, operator, 'Baraka Tools', '46733900202');
    const browser = new Browser(store.sokoni.url);
    const answers = [await signIn(browser, '46733900202', 'the wrong passphrase'), await signIn(browser, '46733999999'), await signIn(browser, 'not a number')];
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.text).toContain('That number and password do not match a seller account.');
    }
    expect(auditRows(store, 'sign_in').filter((r) => r.outcome === 'refused' && r.actorEmail === 'seller number 46733900202')).toHaveLength(1);
    // An operator's email and password do not open the seller's sign-in, nor a seller's the console's.
    expect((await signIn(browser, 'operator@example.com', 'a long test passphrase')).status).toBe(401);
  });

  it('is throttled per number like the console: after three mistakes the next try waits, even with the right password', async () => {
    await sellerSignedIn(store, operator, 'Throttled Seller', '46733900203');
    const browser = new Browser(store.sokoni.url);
    for (let i = 0; i < 3; i += 1) expect((await signIn(browser, '46733900203', `wrong passphrase ${i}`)).status).toBe(401);
    const blocked = await signIn(browser, '46733900203');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.text).toContain('Too many tries');
    expect(sessionCookieOf(browser)).toBeUndefined();
  });

  it('refuses a post without the form\'s CSRF token', async () => {
    const res = await new Browser(store.sokoni.url).post('/seller/sign-in', { msisdn: '46733900201', password: SELLER_PASSWORD }, { csrf: false });
    expect(res.status).toBe(403);
  });
});

describe('a seller session', () => {
  it('never opens the console, its JSON or the admin API', async () => {
    const { sellerId, browser } = await sellerSignedIn(store, operator, 'Curious Seller', '46733900204');
    for (const path of ['/admin', '/admin/orders', '/admin/sellers', `/admin/sellers/${sellerId}`, '/admin/people', '/admin/audit', '/admin/account']) {
      expect((await browser.get(path)).status, path).toBe(403);
    }
    for (const path of ['/api/orders', '/api/sellers', '/api/books/balances']) {
      expect((await browser.get(path, 'application/json')).status, path).toBe(403);
    }
    // The console's sign-in form is still there for an operator on this browser.
    expect((await browser.get('/admin/sign-in')).status).toBe(200);
    const post = await browser.post(`/admin/sellers/${sellerId}/invite`, {}, { from: SIGNED_IN_FORM });
    expect(post.status).toBe(403);
    const changeShare = await browser.post(`/admin/sellers/${sellerId}`, { name: 'Curious Seller', msisdn: '46733900204', share: '100' }, { from: SIGNED_IN_FORM });
    expect(changeShare.status).toBe(403);
    expect(store.sokoni.db.prepare('SELECT share_bps AS s FROM sellers WHERE id = ?').get(sellerId)).toEqual({ s: 8000 });
    expect(auditRows(store, 'forbidden').filter((r) => r.actorRole === 'seller').length).toBeGreaterThan(0);
  });

  it('passes requireSeller, which sends anyone else to the seller sign-in (401 for JSON)', async () => {
    const nobody = new Browser(store.sokoni.url);
    const page = await whoami(nobody);
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/seller/sign-in?next=%2Fseller%2Fwhoami');
    expect((await whoami(nobody, 'application/json')).status).toBe(401);
    // An operator is not a seller.
    expect((await whoami(operator, 'application/json')).status).toBe(401);
  });

  it('ends at sign-out, and after the console\'s idle time', async () => {
    const { browser, sellerId } = await sellerSignedIn(store, operator, 'Leaving Seller', '46733900205');
    const session = sessionCookieOf(browser)!;
    const idle = createAccounts({ db: store.sokoni.sql, owner2fa: false, clock: () => Date.now() + SESSION_IDLE_MS + 1000 });
    expect(await createAccounts({ db: store.sokoni.sql, owner2fa: false }).sessionCaller(session)).toMatchObject({ sellerId });
    const out = await browser.post('/seller/sign-out', {}, { from: SIGNED_IN_FORM });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/seller/sign-in');
    expect((await supertest(portal.url).get('/seller/whoami').set('accept', 'application/json').set('cookie', `sokoni.session=${session}`)).status).toBe(401);
    expect(auditRows(store, 'sign_out').at(-1)).toMatchObject({ actorRole: 'seller' });

    const again = await signIn(new Browser(store.sokoni.url), '46733900205');
    const fresh = /sokoni\.session=([^;]+)/.exec((again.headers['set-cookie'] as unknown as string[]).join('\n'))![1]!;
    expect(await idle.sessionCaller(fresh)).toBeNull();
  });
});
