// Takes the README's seller portal screenshots: `npx tsx test/browser/take-seller-screenshots.ts`.
// Runs the real store on a temp database with one seller who has sales paid, one waiting for the
// shop's funds and a correction in the books, signs them in through an invite link as a seller
// would, and photographs each portal page at 360 px and on a desktop.
import { createAccounts } from '../../src/accounts';
import { ADMIN_TOKEN, pay, sellerWithProduct, startStore, waitForOrder } from '../checkout/helpers';
import { OUT, PHONE, screenshotBrowser } from './screenshots';

const DESKTOP = { width: 1280, height: 860 };
const PASSWORD = 'screenshot seller passphrase';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

const store = await startStore();
const browser = await screenshotBrowser();
try {
  const accounts = createAccounts({ db: store.sokoni.sql, owner2fa: false });
  const operator = await accounts.createPerson(null, { email: 'joseph@sokoni.example', role: 'operator', password: 'screenshot operator passphrase' });
  const ctx = { caller: { personId: operator.id, email: operator.email, role: operator.role, via: 'cli' as const, mustEnrol: false }, address: null };
  const { sellerId, productId } = await sellerWithProduct(store, '256772000321', 4500);
  await store.http.patch(`/api/sellers/${sellerId}`).set(auth).send({ name: 'Wanjiru Baskets' }).expect(200);
  await store.http.patch(`/api/products/${productId}`).set(auth).send({ name: 'Woven basket', description: 'Sisal, hand-dyed, 30 cm' }).expect(200);
  for (const [phone, qty] of [['256772100100', 2], ['256772100200', 1]] as const) {
    await waitForOrder(store, (await pay(store, { productId, qty, phone }, 30)).body.id as string, (o) => o.status === 'settled');
  }
  await store.http.post('/api/books/journals').set(auth).send({
    currency: 'EUR', note: 'Stall fee charged twice in November, given back',
    lines: [{ account: `seller_payable:${sellerId}`, amountMinor: -500 }, { account: 'opening_equity', amountMinor: 500 }],
  }).expect(201);
  // The shop's disbursement account runs dry: the next sale's payout waits for a top-up.
  store.control.setBalance({ account: 'disbursement' }, 'EUR', '0');
  await waitForOrder(store, (await pay(store, { productId, qty: 1, phone: '256772100300' }, 30)).body.id as string, (o) => o.payout?.status === 'waiting_funds');

  for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
    const page = await browser.newPage({ viewport });
    const { token } = await accounts.createInvite(ctx, sellerId);
    await page.goto(`${store.sokoni.url}/seller/invite/${token}`);
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('heading', { name: 'Your sales and payouts' }).waitFor();
    for (const [path, name] of [['', 'home'], ['/sales', 'sales'], ['/payouts', 'payouts'], ['/statement', 'statement'], [`/products/${productId}`, 'product']] as const) {
      await page.goto(`${store.sokoni.url}/seller${path}`);
      await page.screenshot({ path: `${OUT}seller-${name}-${size}.png`, fullPage: true });
    }
    await page.close();
  }
  console.log(`Seller portal screenshots written to ${OUT}`);
} finally {
  await browser.close();
  await store.close();
}
