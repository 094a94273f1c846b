// Takes the README's console screenshots: `npx tsx test/browser/take-console-screenshots.ts`.
// Runs the real store on a temp database with a few orders (one whose payout failed) and an
// owner, and photographs each console page at 360 px and on a desktop (adding a seller on the way).
import { createAccounts } from '../../src/accounts';
import { demoProductId, pay, sellerWithProduct, startStore } from '../checkout/helpers';
import { OUT, PHONE, screenshotBrowser } from './screenshots';

const DESKTOP = { width: 1280, height: 860 };
const PASSWORD = 'screenshot passphrase';

const store = await startStore();
const browser = await screenshotBrowser();
try {
  const accounts = createAccounts({ db: store.sokoni.sql, owner2fa: false });
  await accounts.createPerson(null, { email: 'amina@sokoni.example', role: 'owner', password: PASSWORD });
  await accounts.createPerson(null, { email: 'joseph@sokoni.example', role: 'operator', password: PASSWORD });
  await accounts.createPerson(null, { email: 'grace@sokoni.example', role: 'viewer', password: PASSWORD });
  for (const phone of ['256772100100', '256772100200', '256772100300']) await pay(store, { productId: demoProductId, qty: 2, phone }, 30);
  const { productId } = await sellerWithProduct(store, '256772000999', 4500);
  store.control.setBalance({ account: 'disbursement' }, 'EUR', '0');
  const failed = (await pay(store, { productId, qty: 1, phone: '256772554321' }, 30)).body.id as string;
  store.control.setBalance({ account: 'disbursement' }, 'EUR', '1000');
  // Refunds: one given back (asked by the operator, approved by the owner), one waiting for a second person.
  const refunds = store.sokoni.refunds;
  const as = (email: string, role: 'owner' | 'operator', personId: string) => ({ caller: { personId, email, role, via: 'session' as const, mustEnrol: false }, address: null });
  const people = new Map((await accounts.people()).map((p) => [p.email, p.id]));
  const joseph = as('joseph@sokoni.example', 'operator', people.get('joseph@sokoni.example')!);
  const amina = as('amina@sokoni.example', 'owner', people.get('amina@sokoni.example')!);
  const refunded = (await pay(store, { productId: demoProductId, qty: 3, phone: '256772100400' }, 30)).body.id as string;
  const given = await refunds.request(joseph, refunded, { amountMinor: 1500, reason: 'One of the three arrived cracked' });
  await refunds.approve(amina, given.id);
  const waiting = (await pay(store, { productId: demoProductId, qty: 2, phone: '256772100500' }, 30)).body.id as string;
  await refunds.request(joseph, waiting, { amountMinor: 1000, reason: 'Delivered a day late: goodwill' });
  for (let i = 0; i < 100 && (await refunds.ofOrder(refunded))![0]!.state !== 'refunded'; i++) await new Promise((r) => setTimeout(r, 100));
  // Money against a failed order, for Needs attention's one-click refund: MoMo takes 14.00 of a 25.00 order.
  store.control.updateSettings({ approval: 'handset' });
  const mismatch = (await pay(store, { productId: demoProductId, qty: 2, phone: '256772100600' })).body.id as string;
  const [asked] = store.control.pending('256772100600');
  store.control.rewriteTransaction(asked!.referenceId, { amount: '14.00' });
  store.control.approve(asked!.referenceId, '1234');
  store.control.updateSettings({ approval: 'instant' });
  for (let i = 0; i < 100 && (await store.sokoni.checkout.snapshot(mismatch))!.order.status !== 'failed'; i++) await new Promise((r) => setTimeout(r, 100));

  for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
    const page = await browser.newPage({ viewport });
    await page.goto(`${store.sokoni.url}/admin/sign-in`);
    if (size === 'phone') await page.screenshot({ path: `${OUT}console-sign-in-phone.png`, fullPage: true });
    await page.getByLabel('Email').fill('amina@sokoni.example');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    await page.screenshot({ path: `${OUT}console-today-${size}.png`, fullPage: true });
    await page.goto(`${store.sokoni.url}/admin/orders`);
    await page.screenshot({ path: `${OUT}console-orders-${size}.png`, fullPage: true });
    await page.goto(`${store.sokoni.url}/admin/orders/${failed}`);
    await page.screenshot({ path: `${OUT}console-order-${size}.png`, fullPage: true });
    // Refunds: an order with one given back and its form, the list to approve, and what the shopper sees.
    await page.goto(`${store.sokoni.url}/admin/orders/${refunded}`);
    await page.screenshot({ path: `${OUT}console-order-refund-${size}.png`, fullPage: true });
    await page.goto(`${store.sokoni.url}/admin/refunds`);
    await page.screenshot({ path: `${OUT}console-refunds-${size}.png`, fullPage: true });
    await page.goto(`${store.sokoni.url}/orders/${refunded}`);
    await page.screenshot({ path: `${OUT}order-refunded-${size}.png`, fullPage: true });
    await page.goto(`${store.sokoni.url}/sandbox/handset?msisdn=256772100400`);
    if (size === 'phone') await page.screenshot({ path: `${OUT}handset-refund-${size}.png`, fullPage: true });
    // Sellers and products: a new seller's number checked with MoMo, its name beside the one typed.
    await page.goto(`${store.sokoni.url}/admin/sellers`);
    await page.getByLabel('Name').fill(size === 'phone' ? 'Wanjiru Baskets' : 'Kato Crafts');
    await page.getByLabel('MoMo number').fill(size === 'phone' ? '46733900123' : '46733900124');
    await page.getByRole('button', { name: 'Check number and add seller' }).click();
    await page.getByText('Name MoMo has').waitFor();
    await page.screenshot({ path: `${OUT}console-seller-${size}.png`, fullPage: true });
    if (size === 'phone') {
      await page.goto(`${store.sokoni.url}/admin/sellers`);
      await page.getByLabel('Name').fill('Dormant Wallet');
      await page.getByLabel('MoMo number').fill('46733123451');
      await page.getByRole('button', { name: 'Check number and add seller' }).click();
      await page.locator('#seller-msisdn-error').waitFor();
      await page.screenshot({ path: `${OUT}console-seller-refused-${size}.png`, fullPage: true });
    }
    for (const name of ['sellers', 'products']) {
      await page.goto(`${store.sokoni.url}/admin/${name}`);
      await page.screenshot({ path: `${OUT}console-${name}-${size}.png`, fullPage: true });
    }
    if (size === 'desktop') {
      for (const name of ['attention', 'people', 'audit']) {
        await page.goto(`${store.sokoni.url}/admin/${name}`);
        await page.screenshot({ path: `${OUT}console-${name}-${size}.png`, fullPage: true });
      }
    }
    await page.close();
  }
  console.log(`Console screenshots written to ${OUT}`);
} finally {
  await browser.close();
  await store.close();
}
