// Every admin route × every role (and no session): the server answers each as the roles table
// says. The routes are read from the routers themselves, so a new admin route without a line
// here fails this test until someone decides who may use it.
import { randomUUID } from 'node:crypto';
import type express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccounts, type Role } from '../../src/accounts';
import { createBackoffice, createCatalogueDesk } from '../../src/backoffice';
import type { Checkout } from '../../src/checkout';
import { createCatalogue } from '../../src/catalogue';
import { loadConfig } from '../../src/config';
import { createAdminRouter } from '../../src/web/admin-routes';
import { createCatalogueRouter } from '../../src/web/catalogue-routes';
import { createConsoleRouter } from '../../src/web/console-routes';
import { silentLogger } from '../../src/log';
import { createRefunds } from '../../src/refunds';
import { createCsrf } from '../../src/web/csrf';
import { testSql } from '../db/test-database';
import { pay, demoProductId } from '../checkout/helpers';
import { Browser, csrfOf, signedIn, startConsole, type ConsoleStore } from './helpers';

type Who = 'public' | 'signed-in' | Role;

// Who may use each route: `public` (anyone), `signed-in` (any person, even one who must still
// set up a second factor), or the least role.
const MATRIX = new Map<string, Who>([
  ['GET /admin/sign-in', 'public'],
  ['POST /admin/sign-in', 'public'],
  ['POST /admin/sign-out', 'signed-in'],
  ['GET /admin', 'viewer'],
  ['GET /admin/orders', 'viewer'],
  ['GET /api/orders', 'viewer'],
  ['GET /admin/orders/live', 'viewer'],
  ['GET /admin/orders/:id', 'viewer'],
  ['GET /admin/orders/:id/live', 'viewer'],
  ['POST /admin/orders/:id/retry-payout', 'operator'],
  ['POST /admin/reconciliation-items/:id/resolve', 'operator'],
  ['GET /admin/attention', 'viewer'],
  ['POST /admin/orders/:id/refunds', 'operator'],
  ['POST /admin/orders/:id/refunds/whole', 'operator'],
  ['GET /admin/refunds', 'viewer'],
  ['POST /admin/refunds/:id/approve', 'operator'],
  ['POST /admin/refunds/:id/decline', 'operator'],
  ['GET /admin/sellers', 'viewer'],
  ['POST /admin/sellers', 'operator'],
  ['GET /admin/sellers/:id', 'viewer'],
  ['POST /admin/sellers/:id', 'operator'],
  ['POST /admin/sellers/:id/deactivate', 'operator'],
  ['POST /admin/sellers/:id/reactivate', 'operator'],
  ['POST /admin/sellers/:id/invite', 'operator'],
  ['POST /admin/sellers/:id/confirm-number', 'owner'],
  ['GET /admin/products', 'viewer'],
  ['POST /admin/products', 'operator'],
  ['GET /admin/products/:id', 'viewer'],
  ['POST /admin/products/:id', 'operator'],
  ['POST /admin/products/:id/deactivate', 'operator'],
  ['POST /admin/products/:id/reactivate', 'operator'],
  ['POST /admin/products/:id/lock', 'operator'],
  ['POST /admin/products/:id/unlock', 'operator'],
  ['GET /admin/people', 'owner'],
  ['POST /admin/people', 'owner'],
  ['POST /admin/people/:id/role', 'owner'],
  ['POST /admin/people/:id/disable', 'owner'],
  ['POST /admin/people/:id/enable', 'owner'],
  ['POST /admin/people/:id/reset', 'owner'],
  ['GET /admin/audit', 'owner'],
  ['GET /admin/audit.csv', 'owner'],
  ['GET /admin/account', 'viewer'],
  ['POST /admin/account/api-keys', 'viewer'],
  ['POST /admin/account/api-keys/:id/revoke', 'viewer'],
  ['POST /admin/account/password', 'viewer'],
  ['GET /admin/account/two-factor', 'signed-in'],
  ['POST /admin/account/two-factor', 'signed-in'],
  ['GET /balance', 'viewer'],
  ['POST /api/orders/:id/payout/retry', 'operator'],
  ['GET /api/products', 'public'],
  ['GET /api/products/:id', 'public'],
  ['GET /api/sellers', 'viewer'],
  ['GET /api/sellers/:id', 'viewer'],
  ['POST /api/sellers', 'operator'],
  ['PATCH /api/sellers/:id', 'operator'],
  ['POST /api/products', 'operator'],
  ['PATCH /api/products/:id', 'operator'],
]);

const RANK: Role[] = ['viewer', 'operator', 'owner'];
const allowed = (who: Who, role: Role | null) =>
  who === 'public' || (role !== null && (who === 'signed-in' || RANK.indexOf(role) >= RANK.indexOf(who)));

/** Every (method, path) the admin-facing routers answer. */
function routesOf(routers: express.Router[]): string[] {
  const found: string[] = [];
  for (const router of routers) {
    for (const layer of router.stack as { route?: { path: string; methods: Record<string, boolean> } }[]) {
      if (!layer.route) continue;
      for (const method of Object.keys(layer.route.methods)) found.push(`${method.toUpperCase()} ${layer.route.path}`);
    }
  }
  return found;
}

let store: ConsoleStore;
let orderId: string;
let productId: string;

beforeAll(async () => {
  store = await startConsole();
  orderId = (await pay(store, { productId: demoProductId, qty: 1, phone: '256772111222' })).body.id;
  productId = demoProductId;
});
afterAll(() => store?.close());

it('has a line for every admin route there is', async () => {
  const t = await testSql();
  const config = loadConfig({});
  const sql = t.sql;
  const accounts = createAccounts({ db: sql, owner2fa: false });
  const checkout = {} as Checkout;
  const catalogue = createCatalogue({ sql, acceptsCurrency: () => true, verifyWallet: null });
  const routers = [
    createConsoleRouter({
      config,
      accounts,
      backoffice: createBackoffice({ sql, checkout, accounts, settings: config.worker }),
      catalogueDesk: createCatalogueDesk({ catalogue, accounts }),
      expectedMomo: () => Promise.resolve([]),
      csrf: createCsrf(config, []),
      refunds: createRefunds({ sql, checkout, audit: (ctx, event, tx) => accounts.audit(ctx, event, tx), settings: config.refunds, log: silentLogger }),
    }),
    createAdminRouter({ config, checkout }),
    createCatalogueRouter({ catalogue, config }),
  ];
  expect(routesOf(routers).sort()).toEqual([...MATRIX.keys()].sort());
  await t.close();
});

const concrete = (path: string) =>
  path.replace('/api/products/:id', `/api/products/${productId}`).replace('/admin/orders/:id', `/admin/orders/${orderId}`)
    .replace('/api/orders/:id', `/api/orders/${orderId}`).replace(':id', randomUUID());

/** Sends the request the way its caller would (a form with the page's token, or JSON) and returns the status. */
async function answer(browser: Browser, route: string): Promise<{ status: number; location?: string }> {
  const [method, path] = route.split(' ') as [string, string];
  const url = concrete(path);
  if (url.startsWith('/admin/orders/live')) {
    // An event stream never ends: only its status line matters.
    const controller = new AbortController();
    const res = await fetch(`${browser.url}${url}?ids=${orderId}`, { headers: { cookie: browser.cookieHeader, accept: 'text/html' }, redirect: 'manual', signal: controller.signal });
    controller.abort();
    return { status: res.status, location: res.headers.get('location') ?? undefined };
  }
  const headers: Record<string, string> = { cookie: browser.cookieHeader };
  if (method === 'GET') {
    const res = await fetch(`${browser.url}${url}`, { headers: { ...headers, accept: url.startsWith('/api') || url === '/balance' ? 'application/json' : 'text/html' }, redirect: 'manual' });
    await res.arrayBuffer();
    return { status: res.status, location: res.headers.get('location') ?? undefined };
  }
  if (url.startsWith('/admin')) {
    const page = await browser.get(url === '/admin/sign-in' ? '/admin/sign-in' : '/admin/sign-in?probe');
    let token: string;
    try {
      token = csrfOf(page.text);
    } catch {
      token = csrfOf((await browser.get('/admin/account/two-factor')).text);
    }
    const res = await fetch(`${browser.url}${url}`, {
      method,
      headers: { cookie: browser.cookieHeader, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ _csrf: token }).toString(),
      redirect: 'manual',
    });
    await res.arrayBuffer();
    return { status: res.status, location: res.headers.get('location') ?? undefined };
  }
  const res = await fetch(`${browser.url}${url}`, { method, headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' }, body: '{}', redirect: 'manual' });
  await res.arrayBuffer();
  return { status: res.status };
}

describe.each([null, 'viewer', 'operator', 'owner'] as const)('as %s', (role) => {
  it('answers every admin route as the matrix says', async () => {
    const problems: string[] = [];
    // Signing out ends the session, so it goes last.
    const routes = [...MATRIX.keys()].sort((a, b) => Number(a === 'POST /admin/sign-out') - Number(b === 'POST /admin/sign-out'));
    const browser = role ? await signedIn(store, role) : new Browser(store.sokoni.url);
    for (const route of routes) {
      const who = MATRIX.get(route)!;
      const { status, location } = await answer(browser, route);
      // Signing in with no email or password is the form's own refusal, the same for everyone
      // (429 once the empty email has failed a few times across these runs).
      if (route === 'POST /admin/sign-in') {
        if (status !== 401 && status !== 429) problems.push(`${route}: an empty sign-in should be refused by the form, got ${status}`);
        continue;
      }
      const toSignIn = status === 303 && (location ?? '').startsWith('/admin/sign-in') && route !== 'POST /admin/sign-in' && route !== 'POST /admin/sign-out';
      const refused = status === 401 || status === 403 || toSignIn;
      if (allowed(who, role) === refused) problems.push(`${route}: ${status}${location ? ` → ${location}` : ''} (needs ${who})`);
      if (refused && role !== null && status !== 403) problems.push(`${route}: a signed-in ${role} should get 403, got ${status}`);
    }
    expect(problems).toEqual([]);
  }, 60_000);
});
