// Sellers on the real store: an operator adds one in the console and makes an invite link; the
// seller's browser opens it and sets a password. Reuses the console's browser-like client.
import { expect } from 'vitest';
import { Browser, type ConsoleStore } from '../console/helpers';

export const SELLER_PASSWORD = 'a seller passphrase 2026';

/** The id in the seller page's own change form. */
export function sellerIdIn(html: string): string {
  const match = /action="\/admin\/sellers\/([0-9a-f-]{36})"/.exec(html);
  if (!match) throw new Error('no seller form on the page');
  return match[1]!;
}

export async function addSeller(operator: Browser, name: string, msisdn: string): Promise<string> {
  const res = await operator.post('/admin/sellers', { name, msisdn, share: '80' }, { from: '/admin/sellers' });
  expect(res.status).toBe(201);
  return sellerIdIn(res.text);
}

/** The link as the console shows it once, and its path. */
export async function inviteLink(operator: Browser, sellerId: string): Promise<{ link: string; path: string }> {
  const res = await operator.post(`/admin/sellers/${sellerId}/invite`, {}, { from: `/admin/sellers/${sellerId}` });
  expect(res.status).toBe(201);
  const link = /id="invite-link" class="mono" type="text" readonly value="([^"]+)"/.exec(res.text)?.[1];
  if (!link) throw new Error('no invite link on the page');
  return { link, path: new URL(link).pathname };
}

/** A fresh browser that opens the invite and sets the password; answers the final post. */
export async function acceptInvite(store: ConsoleStore, path: string, password = SELLER_PASSWORD) {
  const browser = new Browser(store.sokoni.url);
  // The CSRF token is bound to the browser's cookie, not to a page: a used link's page has no form.
  const res = await browser.post(path, { password }, { from: '/seller/sign-in' });
  return { browser, res };
}

/** A seller with a login: added, invited, password set; their browser is signed in. */
export async function sellerSignedIn(store: ConsoleStore, operator: Browser, name: string, msisdn: string): Promise<{ sellerId: string; browser: Browser }> {
  const sellerId = await addSeller(operator, name, msisdn);
  const { path } = await inviteLink(operator, sellerId);
  const { browser, res } = await acceptInvite(store, path);
  expect(res.status).toBe(303);
  return { sellerId, browser };
}

export const sessionCookieOf = (browser: Browser) => browser.cookie('sokoni.session');
