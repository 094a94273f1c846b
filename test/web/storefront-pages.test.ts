// The shopper's pages over HTTP: storefront, checkout form and its errors, the order page in
// each state, its event stream, "try again", and the error pages.
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PRODUCT_IDS } from '../../src/db';
import { hiddenField, inlineCode, openForm, postForm, readEvents, startShop, type Shop } from './storefront-helpers';

const basket = DEMO_PRODUCT_IDS[0]!; // Woven papyrus basket, €12.50, Nakato Crafts
const shopper = '256772300400';
const declines = '46733123451'; // the sandbox's APPROVAL_REJECTED number
const ADMIN_TOKEN = 'test-admin-token-0123456789';

let shop: Shop | undefined;
afterEach(async () => {
  await shop?.close();
  shop = undefined;
});

async function placeByForm(s: Shop, phone: string, qty = '1'): Promise<string> {
  const form = await openForm(s, `/products/${basket}`);
  const answer = await postForm(s, '/pay', form, {
    _csrf: form.token,
    productId: basket,
    idempotencyKey: hiddenField(form.html, 'idempotencyKey'),
    qty,
    phone,
  }).expect(303);
  return answer.headers.location!.replace('/orders/', '');
}

async function orderJson(s: Shop, id: string, wait = 0) {
  const req = s.http.get(`/orders/${id}`).set('accept', 'application/json');
  if (wait) req.set('prefer', `wait=${wait}`);
  return (await req.expect(200)).body as { status: string; payment: { reason: string | null } };
}

describe('storefront and checkout form', () => {
  it('lists the products with seller, price in their currency and a Pay with MoMo link; no inline code', async () => {
    shop = await startShop();
    const page = await shop.http.get('/').expect(200).expect('content-type', /html/);
    expect(page.text).toContain('Woven papyrus basket');
    expect(page.text).toContain('Sold by Nakato Crafts');
    expect(page.text).toContain('€12.50');
    expect(page.text).toContain(`href="/products/${basket}"`);
    expect(page.text).toMatch(/Pay with MoMo/);
    expect(page.text).toContain('payments are simulated');
    expect(page.text).toContain('<link rel="stylesheet" href="/css/sokoni.css">');
    expect(inlineCode(page.text)).toEqual([]);
    await shop.http.get('/css/sokoni.css').expect(200).expect('content-type', /css/);
    await shop.http.get('/js/order.js').expect(200).expect('content-type', /javascript/);
    await shop.http.get('/favicon.svg').expect(200).expect('content-type', /svg/);
  });

  it('shows the form with a country hint, an example, the total and a CSRF token in an HttpOnly cookie', async () => {
    shop = await startShop();
    const page = await shop.http.get(`/products/${basket}?qty=3`).expect(200);
    expect(page.text).toMatch(/<label for="phone">MoMo phone number<\/label>/);
    expect(page.text).toContain('country code');
    expect(page.text).toContain('e.g. 256 772 123456');
    expect(page.text).toContain('value="3"');
    expect(page.text).toContain('€37.50');
    expect(page.text).toContain('<script src="/js/checkout.js" defer></script>');
    expect(hiddenField(page.text, '_csrf')).toMatch(/\S{20,}/);
    expect(String(page.headers['set-cookie'])).toMatch(/sokoni\.csrf=.*HttpOnly.*SameSite=Lax/i);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(inlineCode(page.text)).toEqual([]);
  });

  it('names the market country code for a live market, and formats its currency', async () => {
    shop = await startShop({ MOMO_TARGET_ENVIRONMENT: 'mtnghana', SANDBOX_CURRENCIES: 'mtnghana=GHS', ADMIN_TOKEN });
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const seller = await shop.http.post('/api/sellers').set(auth).send({ name: 'Ama Kente', msisdn: '233241234567' }).expect(201);
    const product = await shop.http.post('/api/products').set(auth).send({ sellerId: seller.body.id, name: 'Kente strip', priceMinor: 12_000, currency: 'GHS' }).expect(201);
    const page = await shop.http.get(`/products/${product.body.id}`).expect(200);
    expect(page.text).toContain('starting with the country code 233');
    expect(page.text).toContain('e.g. 233 24 123 4567');
    expect(page.text).toMatch(/GH₵120\.00|GHS\s?120\.00/);
  });

  it.each([
    ['a phone with a leading 0', { qty: '2', phone: '0772 123456' }, 400, 'phone', 'Phone number must start with the country code, not 0'],
    ['a phone with letters', { qty: '2', phone: '2567abc' }, 400, 'phone', 'Phone number must contain only digits'],
    ['no phone', { qty: '2', phone: '' }, 400, 'phone', 'Enter your MoMo phone number'],
    ['a quantity of 0', { qty: '0', phone: '256 772 123456' }, 400, 'qty', 'Quantity must be at least 1'],
    ['a quantity in words', { qty: 'two', phone: '256 772 123456' }, 400, 'qty', 'Quantity must be a whole number'],
  ])('shows %s next to the field, keeps the input, and writes nothing', async (_name, fields, status, field, message) => {
    shop = await startShop();
    const form = await openForm(shop, `/products/${basket}`);
    const answer = await postForm(shop, '/pay', form, { _csrf: form.token, productId: basket, ...fields }).expect(status).expect('content-type', /html/);
    expect(answer.text).toContain(`id="${field}-error"`);
    expect(answer.text).toMatch(new RegExp(`id="${field}-error">${message}`));
    expect(answer.text).toMatch(new RegExp(`id="${field}"[^>]*aria-invalid="true"`));
    expect(answer.text).toContain(`value="${fields.phone}"`);
    expect(answer.text).toContain(`value="${fields.qty}"`);
    expect(hiddenField(answer.text, '_csrf')).toBe(form.token);
    expect(shop.count('orders')).toBe(0);
  });

  it('shows a refusal that is not about one field above the form (a product no longer for sale)', async () => {
    shop = await startShop();
    const form = await openForm(shop, `/products/${basket}`);
    shop.sokoni.db.prepare('UPDATE products SET active = 0 WHERE id = ?').run(basket);
    const answer = await postForm(shop, '/pay', form, { _csrf: form.token, productId: basket, qty: '1', phone: shopper }).expect(422);
    expect(answer.text).toMatch(/role="alert" id="form-error">This product is not for sale at the moment/);
    expect(shop.count('orders')).toBe(0);
    await shop.http.get(`/products/${basket}`).set('accept', 'text/html').expect(404);
  });

  it('places the order and answers 303 to its page; the same form sent twice is one order', async () => {
    shop = await startShop({ SANDBOX_APPROVAL: 'handset' });
    const form = await openForm(shop, `/products/${basket}`);
    const fields = { _csrf: form.token, productId: basket, idempotencyKey: hiddenField(form.html, 'idempotencyKey'), qty: '2', phone: '+256 772-300.400' };
    const first = await postForm(shop, '/pay', form, fields).expect(303);
    const second = await postForm(shop, '/pay', form, fields).expect(303);
    expect(second.headers.location).toBe(first.headers.location);
    expect(shop.count('orders')).toBe(1);
  });
});

describe('order page', () => {
  it('waiting: amount, payee note, countdown, handset link, refresh without JS, live script', async () => {
    shop = await startShop({ SANDBOX_APPROVAL: 'handset' });
    const id = await placeByForm(shop, shopper, '2');
    const page = await shop.http.get(`/orders/${id}`).set('accept', 'text/html').expect(200);
    expect(page.text).toContain('data-stage="waiting"');
    expect(page.text).toContain('Approve the payment on your phone');
    expect(page.text).toContain('€25.00');
    expect(page.text).toContain('2 x Woven papyrus basket');
    expect(page.text).toMatch(/class="countdown" role="timer" data-seconds-left="(29\d|300)"/);
    expect(page.text).toMatch(/Time left to approve: <strong class="countdown-time">[45]:\d\d<\/strong>/);
    expect(page.text).toContain(`href="/sandbox/handset?msisdn=${shopper}"`);
    expect(page.text).toContain('<noscript><meta http-equiv="refresh" content="5"></noscript>');
    expect(page.text).toContain('<script src="/js/order.js" defer></script>');
    expect(page.text).toContain(`data-events="/orders/${id}/events"`);
    expect(page.text).toMatch(/id="order-status"[^>]*aria-live="polite"/);
    // The number is masked everywhere but in the simulated handset's link.
    expect(page.text.split(shopper)).toHaveLength(2);
    expect(inlineCode(page.text)).toEqual([]);
  });

  it('settled: says the seller is paid, stops refreshing, and has no handset link', async () => {
    shop = await startShop();
    const id = await placeByForm(shop, shopper);
    expect((await orderJson(shop, id, 10)).status).toBe('settled');
    const page = await shop.http.get(`/orders/${id}`).set('accept', 'text/html').expect(200);
    expect(page.text).toContain('data-stage="settled"');
    expect(page.text).toContain('Paid, and the seller has been paid');
    expect(page.text).not.toContain('http-equiv="refresh"');
    expect(page.text).not.toContain('/sandbox/handset');
  });

  it.each([
    ['46733123451', 'The payment was declined on the phone.', true],
    ['46733123452', 'The payment was not approved in time.', true],
    ['46733123455', 'This phone number is not registered for MTN MoMo.', false],
    ['46733123462', 'MTN MoMo could not process the payment just now.', true],
  ])('failed for %s: says "%s" and what to do next', async (phone, what, canRetry) => {
    shop = await startShop();
    const id = await placeByForm(shop, phone);
    expect((await orderJson(shop, id, 10)).status).toBe('failed');
    const page = await shop.http.get(`/orders/${id}`).set('accept', 'text/html').expect(200);
    expect(page.text).toContain('The payment did not go through');
    expect(page.text).toContain(what);
    expect(page.text).toContain('No money was taken.');
    expect(page.text).toContain(`href="/products/${basket}?qty=1"`);
    expect(page.text.includes(`action="/orders/${id}/retry"`)).toBe(canRetry);
  });

  it('the status fragment is the live part alone', async () => {
    shop = await startShop({ SANDBOX_APPROVAL: 'handset' });
    const id = await placeByForm(shop, shopper);
    const fragment = await shop.http.get(`/orders/${id}/status`).expect(200).expect('content-type', /html/);
    expect(fragment.text.trim()).toMatch(/^<div class="status status-waiting" data-stage="waiting" data-signature="pending\/pending\/\/false"/);
    expect(fragment.text).not.toContain('<html');
  });

  it('unknown orders get the 404 page', async () => {
    shop = await startShop();
    const page = await shop.http.get('/orders/5e11e700-0000-4000-8000-00000000ffff').set('accept', 'text/html').expect(404);
    expect(page.text).toContain('No order with this id');
    expect(page.text).toContain('/css/sokoni.css');
  });
});

describe('order events', () => {
  it('sends the order JSON on connect and on each change, and ends when the order is final', async () => {
    shop = await startShop({ SANDBOX_APPROVAL: 'handset' });
    const id = await placeByForm(shop, shopper);
    const control = shop.control;
    const stream = readEvents(`${shop.sokoni.url}/orders/${id}/events`, 15_000, (event) => {
      if (event.status === 'pending') {
        const [request] = control.pending(shopper);
        if (request) control.approve(request.referenceId, '1234');
      }
    });
    const result = await stream;
    expect(result.status).toBe(200);
    expect(result.contentType).toMatch(/^text\/event-stream/);
    expect(result.ended).toBe(true);
    const statuses = result.events.map((e) => e.status);
    expect(statuses[0]).toBe('pending');
    expect(statuses.at(-1)).toBe('settled');
    expect(statuses).toContain('paid');
    expect(result.events.at(-1)).toEqual(await orderJson(shop, id));
  });

  it('ends at once for an order that is already final; unknown orders are 404', async () => {
    shop = await startShop();
    const id = await placeByForm(shop, shopper);
    await orderJson(shop, id, 10);
    const result = await readEvents(`${shop.sokoni.url}/orders/${id}/events`, 5_000);
    expect(result.ended).toBe(true);
    expect(result.events.map((e) => e.status)).toEqual(['settled']);
    await shop.http.get('/orders/not-an-id/events').set('accept', 'application/json').expect(404);
  });
});

describe('try again', () => {
  it('starts a new payment for the same basket and number; pressing twice is one new order', async () => {
    shop = await startShop();
    const id = await placeByForm(shop, declines, '3');
    expect((await orderJson(shop, id, 10)).payment.reason).toBe('APPROVAL_REJECTED');
    const page = await openForm(shop, `/orders/${id}`);
    const first = await postForm(shop, `/orders/${id}/retry`, page, { _csrf: page.token }).expect(303);
    const second = await postForm(shop, `/orders/${id}/retry`, page, { _csrf: page.token }).expect(303);
    expect(first.headers.location).toBe(second.headers.location);
    const newId = first.headers.location!.replace('/orders/', '');
    expect(newId).not.toBe(id);
    const rows = shop.sokoni.db.prepare('SELECT id, product_id, qty, payer_msisdn FROM orders ORDER BY created_at').all();
    expect(rows).toEqual([
      { id, product_id: basket, qty: 3, payer_msisdn: declines },
      { id: newId, product_id: basket, qty: 3, payer_msisdn: declines },
    ]);
  });

  it('does nothing for an order that did not fail', async () => {
    shop = await startShop({ SANDBOX_APPROVAL: 'handset' });
    const id = await placeByForm(shop, shopper);
    const page = await openForm(shop, `/products/${basket}`);
    const answer = await postForm(shop, `/orders/${id}/retry`, page, { _csrf: page.token }).expect(303);
    expect(answer.headers.location).toBe(`/orders/${id}`);
    expect(shop.count('orders')).toBe(1);
  });
});

describe('error pages', () => {
  it('a fault is a 500 page in the shop style, with no details', async () => {
    shop = await startShop();
    shop.sokoni.db.exec('ALTER TABLE products RENAME TO products_away');
    const page = await shop.http.get('/').set('accept', 'text/html').expect(500).expect('content-type', /html/);
    expect(page.text).toContain('Something went wrong on our side');
    expect(page.text).toContain('/css/sokoni.css');
    expect(page.text).not.toMatch(/products|Sqlite|at \S+ \(|\.ts:\d/);
  });

  it('an unknown page is a 404 page in the shop style; API clients still get JSON', async () => {
    shop = await startShop();
    const page = await shop.http.get('/no/such/page').set('accept', 'text/html').expect(404);
    expect(page.text).toContain('Page not found');
    expect(page.text).toContain('href="/"');
    const json = await shop.http.get('/no/such/page').set('accept', 'application/json').expect(404);
    expect(json.body).toEqual({ error: { code: 'not_found', message: 'Nothing here' } });
  });
});
