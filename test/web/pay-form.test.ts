// The pay form and /pay: a number without its country code is refused unless
// DEFAULT_COUNTRY_CODE says which country local numbers are in, and the amount on the button is
// the one that will be asked, or none.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEMO_PRODUCT_IDS } from '../../src/db';
import { ApiError } from '../../src/web/errors';
import { msisdn, parseBody } from '../../src/web/fields';
import { openForm, postForm, startShop, type Shop } from './storefront-helpers';

const basket = DEMO_PRODUCT_IDS[0]!; // €12.50 each

let shop: Shop | undefined;
afterEach(async () => {
  await shop?.close();
  shop = undefined;
});

const requestsToPay = (s: Shop) => s.control.calls().byOperation['collection.requestToPay'] ?? 0;
const payJson = (s: Shop, phone: string) => s.http.post('/pay').set('accept', 'application/json').send({ productId: basket, qty: 1, phone });
const payerOf = (s: Shop, id: string) => (s.sokoni.db.prepare('SELECT payer_msisdn FROM orders WHERE id = ?').pluck().get(id) as string);

/** The button as rendered: its amount span's text. */
function buttonAmount(html: string): string {
  const match = /<button class="button momo" type="submit">Pay<span class="pay-amount live-only">([^<]*)<\/span> with MoMo<\/button>/.exec(html);
  if (!match) throw new Error('no pay button in the page');
  return match[1]!;
}

describe('phone numbers without a country code', () => {
  it('refuses 772123456 with 400 naming the expected form, sending nothing', async () => {
    shop = await startShop();
    const res = await payJson(shop, '772123456');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ field: 'phone', message: expect.stringContaining('starting with the country code, e.g. 256 772 123456') });
    expect([shop.count('orders'), requestsToPay(shop)]).toEqual([0, 0]);

    const form = await openForm(shop, `/products/${basket}`);
    const page = await postForm(shop, '/pay', form, { _csrf: form.token, productId: basket, qty: '1', phone: '0772 123456' }).expect(400);
    expect(page.text).toMatch(/<p class="error" id="phone-error">Phone number must start with the country code, not 0<\/p>/);
    expect(shop.count('orders')).toBe(0);
  });

  it('with DEFAULT_COUNTRY_CODE, places local forms for the normalised number and says so on the form', async () => {
    shop = await startShop({ DEFAULT_COUNTRY_CODE: '256' });
    for (const typed of ['0772 123456', '772 123456', '+256 772 123456', '256772123456']) {
      const res = await payJson(shop, typed);
      expect([200, 202], typed).toContain(res.status);
      expect(payerOf(shop, res.body.id), typed).toBe('256772123456');
    }
    expect(shop.control.transactions({ product: 'collection', party: '256772123456' })).toHaveLength(4);
    // A foreign number stays foreign: with its +, or too long to be a local one.
    for (const typed of ['+46 733 123 499', '46733123499']) {
      const foreign = await payJson(shop, typed);
      expect(payerOf(shop, foreign.body.id), typed).toBe('46733123499');
    }

    const form = await openForm(shop, `/products/${basket}`);
    expect(form.html).toContain('data-country-code="256"');
    expect(form.html).toContain('numbers without a country code are taken as +256 numbers');
    expect(form.html).toContain('id="phone-used"');
    await postForm(shop, '/pay', form, { _csrf: form.token, productId: basket, qty: '1', phone: '0772 654321' }).expect(303);
    expect(shop.count('orders')).toBe(7);
  });

  it('normalises by the country\'s number lengths', () => {
    const phone = (defaultCountryCode: string | null) => z.object({ phone: msisdn('sandbox', defaultCountryCode) });
    expect(parseBody(phone('256'), { phone: '46733123450' })).toEqual({ phone: '46733123450' });
    expect(parseBody(phone('256'), { phone: '(0772) 123-456' })).toEqual({ phone: '256772123456' });
    expect(parseBody(phone(null), { phone: '46733123450' })).toEqual({ phone: '46733123450' });
    for (const [code, typed] of [[null, '772123456'], ['256', '077212345'], [null, '25677212345']] as const) {
      expect(() => parseBody(phone(code), { phone: typed }), typed).toThrow(ApiError);
    }
  });
});

describe('the amount on the pay button', () => {
  it('is the total for the quantity in the field', async () => {
    shop = await startShop();
    const two = await shop.http.get(`/products/${basket}?qty=2`).expect(200);
    expect(buttonAmount(two.text)).toBe(' €25.00');
    expect(two.text).toContain('<output id="total" for="qty" aria-live="polite">€25.00</output>');
  });

  it('is absent when the quantity is invalid, also on a refused form', async () => {
    shop = await startShop();
    const form = await openForm(shop, `/products/${basket}`);
    for (const qty of ['abc', '0', '101', '']) {
      const page = await postForm(shop, '/pay', form, { _csrf: form.token, productId: basket, qty, phone: '256772123456' }).expect(400);
      expect(page.text).toContain(`value="${qty}"`);
      expect(buttonAmount(page.text), qty).toBe('');
      expect(page.text).toContain('<p class="total live-only" id="total-line" hidden>');
      expect(page.text).toContain('<output id="total" for="qty" aria-live="polite"></output>');
    }
    const refusedPhone = await postForm(shop, '/pay', form, { _csrf: form.token, productId: basket, qty: '3', phone: '772123456' }).expect(400);
    expect(buttonAmount(refusedPhone.text)).toBe(' €37.50');
  });

  it('follows the quantity only where the script keeps it true: the static line is there for the rest', async () => {
    shop = await startShop();
    const page = await shop.http.get(`/products/${basket}`).expect(200);
    expect(page.text).toMatch(/<p class="total live-only" id="total-line">/);
    expect(page.text).toMatch(/<p class="hint static-only">The total is the price times the quantity/);
    const css = await shop.http.get('/css/sokoni.css').expect(200);
    expect(css.text).toContain('.pay-form:not(.live) .live-only { display: none; }');
  });
});
