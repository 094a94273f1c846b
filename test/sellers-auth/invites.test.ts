// Invite links on the real store: an operator makes one (audited, shown once), the seller sets a
// password with it and is signed in; it works once, even when two posts race, and not after 72
// hours; a weak password writes nothing; a new invite is how a seller sets a new password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccounts } from '../../src/accounts';
import { auditRows, signedIn, startConsole, type Browser, type ConsoleStore } from '../console/helpers';
import { acceptInvite, addSeller, inviteLink, SELLER_PASSWORD, sessionCookieOf } from './helpers';

let store: ConsoleStore;
let operator: Browser;

beforeAll(async () => {
  store = await startConsole();
  operator = await signedIn(store, 'operator');
});
afterAll(() => store?.close());

const sellerLogins = () => (store.sokoni.db.prepare(`SELECT count(*) AS n FROM people WHERE role = 'seller'`).get() as { n: number }).n;
const HOUR = 60 * 60_000;

describe('invite links', () => {
  it('are made by an operator, audited, shown once with their expiry, and stored only as a hash', async () => {
    const sellerId = await addSeller(operator, 'Amina Baskets', '46733900101');
    const before = Date.now();
    const { link, path } = await inviteLink(operator, sellerId);
    expect(link).toMatch(new RegExp(`^${store.sokoni.url}/seller/invite/[\\w-]{43}$`));
    const token = path.split('/').pop()!;
    const row = store.sokoni.db.prepare('SELECT token_hash AS tokenHash, expires_at AS expiresAt FROM seller_invites WHERE seller_id = ?').get(sellerId) as { tokenHash: string; expiresAt: number };
    expect(row.tokenHash).not.toContain(token);
    expect(row.expiresAt - before).toBeGreaterThanOrEqual(72 * HOUR);
    expect(row.expiresAt - before).toBeLessThan(73 * HOUR);
    const audited = auditRows(store, 'seller.invite').at(-1)!;
    expect(audited).toMatchObject({ actorEmail: 'operator@example.com', objectId: sellerId, outcome: 'done' });
    expect(JSON.stringify(audited)).not.toContain(token);
    // Reloading the seller's page does not show the link again.
    const reloaded = (await operator.get(`/admin/sellers/${sellerId}`)).text;
    expect(reloaded).not.toContain(token);
    expect(reloaded).toContain('id="seller-login">They have not set a password yet.');
  });

  it('are refused to a viewer, and nothing is made', async () => {
    const sellerId = await addSeller(operator, 'Viewer Test', '46733900102');
    const viewer = await signedIn(store, 'viewer');
    const res = await viewer.post(`/admin/sellers/${sellerId}/invite`, {}, { from: `/admin/sellers/${sellerId}` });
    expect(res.status).toBe(403);
    expect(store.sokoni.db.prepare('SELECT count(*) AS n FROM seller_invites WHERE seller_id = ?').get(sellerId)).toEqual({ n: 0 });
  });

  it('let the seller set a password, sign them in and land them on /seller; audited', async () => {
    const sellerId = await addSeller(operator, 'Juma Fish', '46733900103');
    const { path } = await inviteLink(operator, sellerId);
    const page = await new (operator.constructor as typeof Browser)(store.sokoni.url).get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Welcome, Juma Fish');
    expect(page.headers['cache-control']).toBe('no-store');
    const { browser, res } = await acceptInvite(store, path);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/seller');
    expect(sessionCookieOf(browser)).toBeTruthy();
    const person = store.sokoni.db.prepare(`SELECT id, email, role, password_hash AS hash FROM people WHERE seller_id = ?`).get(sellerId) as { id: string; email: string; role: string; hash: string };
    expect(person).toMatchObject({ email: `seller:${sellerId}`, role: 'seller' });
    expect(person.hash).toMatch(/^\$argon2id\$/);
    expect(auditRows(store, 'seller.invite_used').at(-1)).toMatchObject({ actorEmail: `seller:${sellerId}`, actorRole: 'seller', objectId: sellerId, outcome: 'done' });
    expect(auditRows(store, 'sign_in').at(-1)).toMatchObject({ actorRole: 'seller', objectId: person.id, outcome: 'done' });
    expect((await operator.get(`/admin/sellers/${sellerId}`)).text).toMatch(/id="seller-login">They set a password \d{4}-/);
    // Sellers are not the console's people.
    const owner = await signedIn(store, 'owner');
    expect((await owner.get('/admin/people')).text).not.toContain(`seller:${sellerId}`);
  });

  it('work once: a second use, even racing the first, is refused and changes nothing', async () => {
    const sellerId = await addSeller(operator, 'Race Seller', '46733900104');
    const { path } = await inviteLink(operator, sellerId);
    const [a, b] = await Promise.all([acceptInvite(store, path, SELLER_PASSWORD), acceptInvite(store, path, 'another long passphrase')]);
    expect([a.res.status, b.res.status].sort()).toEqual([303, 422]);
    const loser = a.res.status === 422 ? a.res : b.res;
    expect(loser.text).toContain('has already been used');
    const again = await acceptInvite(store, path, 'a third long passphrase');
    expect(again.res.status).toBe(422);
    expect((await again.browser.get(path)).text).toContain('This link cannot be used');
    expect(store.sokoni.db.prepare('SELECT count(*) AS n FROM people WHERE seller_id = ?').get(sellerId)).toEqual({ n: 1 });
  });

  it('expire after 72 hours', async () => {
    const sellerId = await addSeller(operator, 'Late Seller', '46733900105');
    const owner = store.people.get('owner')!;
    const past = createAccounts({ db: store.sokoni.sql, owner2fa: false, clock: () => Date.now() - 72 * HOUR - 1000 });
    const { token } = await past.createInvite({ caller: { personId: owner.id, email: owner.email, role: 'owner', via: 'session', mustEnrol: false }, address: null }, sellerId);
    const logins = sellerLogins();
    const page = await new (operator.constructor as typeof Browser)(store.sokoni.url).get(`/seller/invite/${token}`);
    expect(page.status).toBe(422);
    expect(page.text).toContain('has expired');
    const { res } = await acceptInvite(store, `/seller/invite/${token}`);
    expect(res.status).toBe(422);
    expect(sellerLogins()).toBe(logins);
    // One made an hour before its end still works.
    const recent = createAccounts({ db: store.sokoni.sql, owner2fa: false, clock: () => Date.now() - 71 * HOUR });
    const fresh = await recent.createInvite({ caller: { personId: owner.id, email: owner.email, role: 'owner', via: 'session', mustEnrol: false }, address: null }, sellerId);
    expect((await acceptInvite(store, `/seller/invite/${fresh.token}`)).res.status).toBe(303);
  });

  it('keep the form on a weak password, write nothing, and leave the link usable', async () => {
    const sellerId = await addSeller(operator, 'Weak Password', '46733900106');
    const { path } = await inviteLink(operator, sellerId);
    const { res } = await acceptInvite(store, path, 'short');
    expect(res.status).toBe(400);
    expect(res.text).toContain('password must be at least 12 characters');
    expect(res.text).toContain('name="password"');
    expect(store.sokoni.db.prepare('SELECT count(*) AS n FROM people WHERE seller_id = ?').get(sellerId)).toEqual({ n: 0 });
    expect((await acceptInvite(store, path)).res.status).toBe(303);
  });

  it('a new invite sets a new password and ends the sessions the seller had (forgot password)', async () => {
    const sellerId = await addSeller(operator, 'Forgetful', '46733900107');
    const first = await acceptInvite(store, (await inviteLink(operator, sellerId)).path);
    expect(first.res.status).toBe(303);
    const second = await acceptInvite(store, (await inviteLink(operator, sellerId)).path, 'a brand new passphrase');
    expect(second.res.status).toBe(303);
    const accounts = createAccounts({ db: store.sokoni.sql, owner2fa: false });
    expect(await accounts.sessionCaller(sessionCookieOf(first.browser)!)).toBeNull();
    expect(await accounts.sessionCaller(sessionCookieOf(second.browser)!)).toMatchObject({ role: 'seller', sellerId });
  });

  it('only the newest link works: a new one closes those still open', async () => {
    const sellerId = await addSeller(operator, 'Two Links', '46733900108');
    const older = await inviteLink(operator, sellerId);
    const newer = await inviteLink(operator, sellerId);
    expect((await acceptInvite(store, older.path)).res.status).toBe(422);
    expect((await acceptInvite(store, newer.path)).res.status).toBe(303);
  });

  it('an unknown or malformed token is refused without a 5xx', async () => {
    const browser = new (operator.constructor as typeof Browser)(store.sokoni.url);
    expect((await browser.get('/seller/invite/not-a-token')).status).toBe(422);
    expect((await browser.get(`/seller/invite/${'A'.repeat(43)}`)).status).toBe(422);
  });
});
