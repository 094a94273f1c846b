// The seller portal over HTTP on the real store, signed in as real sellers (added in the console,
// invited, password set): each sees only their own pages, another seller's sale, payout and
// product are 404 and their statement never shows the other's line; the statement's CSV has the
// sale; the product form changes price for new orders only and refuses a locked product; the
// event stream speaks when the seller's sale lands.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, isFinal, pay, waitForOrder } from '../checkout/helpers';
import { auditRowsOf, signedIn, startConsole, type Browser, type ConsoleStore } from '../console/helpers';
import { sellerSignedIn } from '../sellers-auth/helpers';
import { inlineCode } from '../web/storefront-helpers';
import { shortId } from '../../src/uuid';

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

interface Seller {
  sellerId: string;
  productId: string;
  browser: Browser;
}

let store: ConsoleStore;
let operator: Browser;
let amina: Seller;
let kato: Seller;

async function seller(name: string, msisdn: string): Promise<Seller> {
  const { sellerId, browser } = await sellerSignedIn(store, operator, name, msisdn);
  const product = await store.http.post('/api/products').set(auth).send({ sellerId, name: `${name}'s basket`, priceMinor: 1000, currency: 'EUR' }).expect(201);
  return { sellerId, productId: product.body.id as string, browser };
}

async function sale(productId: string, phone = '256772000999') {
  const placed = await pay(store, { productId, qty: 1, phone }, 5);
  return waitForOrder(store, placed.body.id as string, isFinal);
}

beforeAll(async () => {
  store = await startConsole();
  operator = await signedIn(store, 'operator');
  amina = await seller('Amina', '46733900201');
  kato = await seller('Kato', '46733900202');
});
afterAll(() => store?.close());

/** Reads the seller's event stream with their cookie until `until` says so; counts the messages. */
function events(browser: Browser, until: (count: number) => boolean): { done: Promise<number>; opened: Promise<void> } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const done = new Promise<number>((resolve, reject) => {
    const req = http.get(`${store.sokoni.url}/seller/events`, { headers: { accept: 'text/event-stream', cookie: browser.cookieHeader } }, (res) => {
      let count = 0;
      const timer = setTimeout(() => {
        req.destroy();
        reject(new Error(`only ${count} messages arrived`));
      }, 15_000);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        count += (chunk.match(/^data: /gm) ?? []).length;
        if (count >= 1) open();
        if (until(count)) {
          clearTimeout(timer);
          req.destroy();
          resolve(count);
        }
      });
    });
    req.on('error', () => undefined);
  });
  return { done, opened };
}

describe('seller portal pages', () => {
  it('shows a signed-in seller their sale and payout, and another seller’s order, payout, product and statement line never', async () => {
    const mine = await sale(amina.productId);
    const theirs = await sale(kato.productId);
    expect([mine.status, theirs.status]).toEqual(['settled', 'settled']);
    const theirPayout = (await store.sokoni.sellers.payouts(kato.sellerId, {})).payouts[0]!.id;

    const home = await amina.browser.get('/seller');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Paid this month');
    expect(home.text).toContain('€8.00');
    const sales = await amina.browser.get('/seller/sales');
    expect(sales.text).toContain(`/seller/sales/${mine.id}`);
    expect(sales.text).not.toContain(theirs.id);
    expect(sales.text).toMatch(/data-payout-state="paid"/);

    for (const path of [`/seller/sales/${theirs.id}`, `/seller/payouts/${theirPayout}`, `/seller/products/${kato.productId}`]) {
      expect((await amina.browser.get(path)).status, path).toBe(404);
    }
    const forged = await amina.browser.post(`/seller/products/${kato.productId}`, { description: 'mine now', price: '0.01', available: 'yes' }, { from: '/seller/products' });
    expect(forged.status).toBe(404);
    expect(await store.sokoni.sellers.product(kato.sellerId, kato.productId)).toMatchObject({ priceMinor: 1000, description: '' });

    const statement = await amina.browser.get('/seller/statement');
    expect(statement.text).toContain('Opening balance');
    expect(statement.text).toContain('Closing balance');
    expect(statement.text).not.toContain(shortId(theirs.id));
    const csv = await amina.browser.get('/seller/statement?format=csv', 'text/csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text).toContain(`,collection,${mine.id},,8.00,8.00,EUR`);
    expect(csv.text).toContain(`,payout,${mine.id},,-8.00,0.00,EUR`);
    expect(csv.text).not.toContain(theirs.id);

    // The same pages as Kato show Kato's sale: the session, not the URL, says whose portal it is.
    expect((await kato.browser.get(`/seller/sales/${theirs.id}`)).status).toBe(200);
  });

  it('sends anyone who is not a signed-in seller to the seller sign-in, an operator too', async () => {
    for (const path of ['/seller', '/seller/sales', '/seller/statement?format=csv', `/seller/products/${amina.productId}`]) {
      const res = await store.http.get(path).set('accept', 'text/html');
      expect(res.status, path).toBe(303);
      expect(res.headers.location).toMatch(/^\/seller\/sign-in/);
    }
    expect((await operator.get('/seller')).status).toBe(303);
  });

  it('has no inline script or style on any page (the CSP forbids both)', async () => {
    const mine = (await store.sokoni.sellers.sales(amina.sellerId, {})).sales[0]!;
    for (const path of ['/seller', '/seller?part=live', '/seller/sales', '/seller/sales?part=live', `/seller/sales/${mine.orderId}`, '/seller/payouts',
      `/seller/payouts/${mine.payoutId}`, '/seller/statement', '/seller/products', `/seller/products/${amina.productId}`]) {
      const page = await amina.browser.get(path);
      expect(page.status, path).toBe(200);
      expect(inlineCode(page.text), path).toEqual([]);
    }
  });

  it('refuses a period that is not one, by its field, as a 400 page', async () => {
    const res = await amina.browser.get('/seller/sales?from=2026-13-01');
    expect(res.status).toBe(400);
    expect(res.text).toContain('from must be a date');
  });
});

describe('the product form', () => {
  it('changes price, description and availability (audited); orders placed before keep their price; a bad price is refused by its field', async () => {
    const before = await sale(amina.productId);
    const bad = await amina.browser.post(`/seller/products/${amina.productId}`, { description: 'Bigger', price: '12.345', available: 'yes' }, { from: `/seller/products/${amina.productId}` });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="price-error"');
    expect((await store.sokoni.sellers.product(amina.sellerId, amina.productId)).priceMinor).toBe(1000);
    // Over what one MoMo payment in EUR may be: the catalogue's refusal, shown by the price too.
    const tooMuch = await amina.browser.post(`/seller/products/${amina.productId}`, { description: 'Bigger', price: '2000000.00', available: 'yes' }, { from: `/seller/products/${amina.productId}` });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.text).toContain('id="price-error">The price must be from €0.01 to €1,000,000.00');
    expect((await store.sokoni.sellers.product(amina.sellerId, amina.productId)).priceMinor).toBe(1000);

    const saved = await amina.browser.post(`/seller/products/${amina.productId}`, { description: 'Bigger', price: '25.00', available: 'yes' }, { from: `/seller/products/${amina.productId}` });
    expect(saved.status).toBe(303);
    expect((await amina.browser.get(saved.headers.location!)).text).toContain('Saved.');
    expect((await auditRowsOf(store, 'product.seller_update')).at(-1)).toMatchObject({ objectId: amina.productId, outcome: 'done', actorRole: 'seller' });

    const after = await sale(amina.productId);
    expect(after.amountMinor).toBe(2500);
    expect((await amina.browser.get(`/seller/sales/${before.id}`)).text).toContain('€10.00');
    expect((await amina.browser.get(`/seller/sales/${after.id}`)).text).toContain('€25.00');
  });

  it('refuses a change to a product the shop locked, saying so, and writes nothing', async () => {
    await operator.post(`/admin/products/${kato.productId}/lock`, {}, { from: `/admin/products/${kato.productId}` });
    const page = await kato.browser.get(`/seller/products/${kato.productId}`);
    expect(page.text).toContain('The shop has locked this product');
    const refused = await kato.browser.post(`/seller/products/${kato.productId}`, { description: 'x', price: '99.00', available: 'yes' }, { from: `/seller/products/${kato.productId}` });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('ask the shop to unlock it');
    expect((await store.sokoni.sellers.product(kato.sellerId, kato.productId)).priceMinor).toBe(1000);
  });
});

describe('live sales', () => {
  it('the event stream speaks when the seller’s new sale lands, and the live list then shows it paid', async () => {
    // One message on connect, then at least one for the sale's changes (paid, then settled).
    const stream = events(amina.browser, (count) => count >= 2);
    await stream.opened;
    const order = await sale(amina.productId, '256772000998');
    expect(await stream.done).toBeGreaterThanOrEqual(2);
    const live = await amina.browser.get('/seller/sales?part=live');
    expect(live.text).toMatch(new RegExp(`data-sale="${order.id}"[\\s\\S]*?data-payout-state="paid"`));
  });
});
