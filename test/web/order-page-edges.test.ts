// What the shopper is told (issue #10): a prompt left unanswered reads as not approved in time,
// a stuck order says what happens next and offers "Check again" and the shop's contact, a paid
// order is a receipt in the shop's time zone, paying again for the same basket is asked about
// first, and the seller's payout note names the item and the split.
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PRODUCT_IDS } from '../../src/db';
import { createLogger } from '../../src/log';
import { pay, startStore, waitForOrder, type Store } from '../checkout/helpers';
import { hiddenField, openForm, postForm, startShop, type Shop } from './storefront-helpers';

let shop: Shop | undefined;
let store: Store | undefined;
afterEach(async () => {
  await shop?.close();
  await store?.close();
  shop = undefined;
  store = undefined;
});

const product = DEMO_PRODUCT_IDS[0]!;
const shopper = '256772123456';

describe('the order page', () => {
  it('words a prompt nobody answered as not approved in time, not as MoMo being unwell', async () => {
    store = await startStore({ SANDBOX_APPROVAL: 'handset', SANDBOX_APPROVAL_TIMEOUT_S: '2', APPROVAL_WINDOW_S: '2' });
    const placed = await pay(store, { productId: product, qty: 1, phone: shopper });
    const failed = await waitForOrder(store, placed.body.id, (o) => o.status === 'failed');
    expect(failed.payment.reason).toBe('COULD_NOT_PERFORM_TRANSACTION');
    const page = await store.http.get(`/orders/${placed.body.id}`).expect(200);
    expect(page.text).toContain('The payment was not approved in time.');
    expect(page.text).not.toContain('could not process the payment just now');
  });

  it('a stuck order says Sokoni keeps checking, offers Check again (a read now) and the shop contact', async () => {
    shop = await startShop({ SANDBOX_APPROVAL: 'handset', STUCK_AFTER_S: '1', CHECK_MAX_MS: '600000', CHECK_FIRST_MS: '60000', SHOP_CONTACT: 'call 0772 000111' });
    const form = await openForm(shop, `/products/${product}`);
    const posted = await postForm(shop, '/pay', form, {
      _csrf: form.token, productId: product, qty: '1', phone: shopper, idempotencyKey: hiddenField(form.html, 'idempotencyKey'),
    }).expect(303);
    const orderPath = posted.headers.location as string;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const page = await openForm(shop, orderPath);
    expect(page.html).toContain('Sokoni keeps checking with MTN MoMo on its own, and you will not be charged twice');
    expect(page.html).toContain('Check again');
    expect(page.html).toContain('call 0772 000111');

    const readsBefore = shop.control.calls().byOperation['collection.getRequestToPay'] ?? 0;
    await postForm(shop, `${orderPath}/check`, page, { _csrf: page.token }).expect(303).expect('location', orderPath);
    const deadline = Date.now() + 5000;
    while ((shop.control.calls().byOperation['collection.getRequestToPay'] ?? 0) === readsBefore && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(shop.control.calls().byOperation['collection.getRequestToPay']).toBeGreaterThan(readsBefore);
    // Without the form's token it is refused, like every form post.
    await postForm(shop, `${orderPath}/check`, page, {}).expect(403);
  });

  it('a paid order is a receipt: when (in SHOP_TIMEZONE), what, how much, and the MoMo transaction', async () => {
    store = await startStore({ SHOP_TIMEZONE: 'Africa/Kampala' });
    const placed = await pay(store, { productId: product, qty: 2, phone: shopper }, 20);
    expect(placed.body.status).toBe('settled');
    const page = await store.http.get(`/orders/${placed.body.id}`).expect(200);
    const receipt = /<dl class="receipt">([\s\S]*?)<\/dl>/.exec(page.text)?.[1] ?? '';
    expect(receipt).toMatch(/GMT\+3|EAT/);
    expect(receipt).toContain(`2 × ${placed.body.productName}`);
    expect(receipt).toContain(placed.body.payment.financialTransactionId);
    expect(receipt).toMatch(/€\s?\d/);
  });
});

describe('paying again for the same basket', () => {
  it('is asked about first on the form, and goes through once confirmed', async () => {
    shop = await startShop();
    const buy = async (extra: Record<string, string> = {}) => {
      const form = await openForm(shop!, `/products/${product}`);
      return postForm(shop!, '/pay', form, {
        _csrf: form.token, productId: product, qty: '2', phone: shopper, idempotencyKey: hiddenField(form.html, 'idempotencyKey'), ...extra,
      });
    };
    expect((await buy()).status).toBe(303);
    const orders = shop.count('orders');
    const asked = await buy();
    expect(asked.status).toBe(409);
    expect(asked.text).toContain('This number already ordered this');
    expect(asked.text).toContain('name="confirmRepeat"');
    expect(shop.count('orders')).toBe(orders);
    expect((await buy({ confirmRepeat: 'yes' })).status).toBe(303);
    expect(shop.count('orders')).toBe(orders + 1);
    // Another quantity is another basket: no question.
    const form = await openForm(shop, `/products/${product}`);
    await postForm(shop, '/pay', form, {
      _csrf: form.token, productId: product, qty: '3', phone: shopper, idempotencyKey: hiddenField(form.html, 'idempotencyKey'),
    }).expect(303);
  });
});

describe('the seller and the logs', () => {
  it("the payout's note names the item and the split, and each success is one info line", async () => {
    const lines: string[] = [];
    store = await startStore({}, { log: createLogger({ write: (line) => lines.push(line) }) });
    const placed = await pay(store, { productId: product, qty: 3, phone: shopper }, 20);
    expect(placed.body.status).toBe('settled');
    const [transfer] = store.control.transactions({ product: 'disbursement' });
    const total = placed.body.amountMinor as number;
    const seller = placed.body.payout.amountMinor as number;
    const decimal = (minor: number) => (minor / 100).toFixed(2);
    expect(transfer!.body.payeeNote).toBe(
      `Sokoni 3x ${placed.body.productName}: sale ${decimal(total)}, fee ${decimal(total - seller)}, you get ${decimal(seller)} EUR`,
    );
    const events = lines.map((line) => JSON.parse(line) as { event: string; level: string });
    expect(events.filter((e) => e.event === 'payment.successful')).toEqual([expect.objectContaining({ level: 'info' })]);
    expect(events.filter((e) => e.event === 'payout.successful')).toEqual([expect.objectContaining({ level: 'info' })]);
  });
});
