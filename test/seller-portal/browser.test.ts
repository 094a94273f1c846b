// The seller portal in Chromium at 360 px (issue #15's acceptance, the portal's half): a seller
// opens their invite link, sets a password and lands on their home; with their Sales page open,
// a shopper buys their product, and the sale appears and turns "Paid" without a reload, with
// their share; the statement's CSV has the line; their handset shows MoMo's payout SMS.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccounts } from '../../src/accounts';
import { browserRequired, chromiumPath, INSTALL_HINT, launchChromium } from '../browser/chromium';
import { journey } from '../browser/journey';
import { pay, sellerWithProduct, startStore, type Store } from '../checkout/helpers';

const executablePath = chromiumPath();
if (!executablePath && !browserRequired) console.warn(`Browser tests skipped. ${INSTALL_HINT}`);

const waitMs = 20_000;
const SELLER_MSISDN = '256772000741';

describe.skipIf(!executablePath)('the seller portal in Chromium', () => {
  let browser: Browser;
  let store: Store;

  beforeAll(async () => {
    browser = await launchChromium(executablePath!);
    store = await startStore();
  });
  afterAll(async () => {
    await browser?.close();
    await store?.close();
  });

  it('shows a new sale live on the Sales page, then paid with the seller’s share; the CSV has it; the handset has the SMS', async () => {
    const { sellerId, productId } = await sellerWithProduct(store, SELLER_MSISDN, 2500);
    const accounts = createAccounts({ db: store.sokoni.db, owner2fa: false });
    const operator = await accounts.createPerson(null, { email: 'operator@example.com', role: 'operator', password: 'operator passphrase 2026' });
    const { token } = accounts.createInvite({ caller: { personId: operator.id, email: operator.email, role: 'operator', via: 'cli', mustEnrol: false }, address: null }, sellerId);

    await journey(browser, 'seller sees a sale live', async ({ page, step }) => {
      await page.setViewportSize({ width: 360, height: 740 });
      await step('set a password from the invite', async () => {
        await page.goto(`${store.sokoni.url}/seller/invite/${token}`);
        await page.getByLabel('New password').fill('a seller passphrase 2026');
        await page.getByRole('button', { name: 'Set password and sign in' }).click();
        await page.getByRole('heading', { name: 'Your sales and payouts' }).waitFor({ timeout: waitMs });
      });
      await step('open Sales, empty', async () => {
        await page.getByRole('navigation', { name: 'Your shop' }).getByRole('link', { name: 'Sales', exact: true }).click();
        await page.getByText('No sales in this period yet').waitFor({ timeout: waitMs });
      });
      const orderId = await step('a shopper buys, the sale appears and is paid without a reload', async () => {
        const placed = await pay(store, { productId, qty: 2, phone: '256772000742' });
        const id = placed.body.id as string;
        const row = page.locator(`tr[data-sale="${id}"]`);
        await row.locator('[data-payout-state="paid"]').waitFor({ timeout: waitMs });
        expect(await row.innerText()).toContain('€40.00');
        expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
        return id;
      });
      await step('the statement CSV has the sale', async () => {
        const csv = await page.evaluate(async () => (await fetch('/seller/statement?format=csv')).text());
        expect(csv).toContain(`,collection,${orderId},,40.00,40.00,EUR`);
        expect(csv).toContain(`,payout,${orderId},,-40.00,0.00,EUR`);
      });
      await step("the seller's handset shows the payout SMS", async () => {
        await page.goto(`${store.sokoni.url}/sandbox/handset?msisdn=${SELLER_MSISDN}`);
        await page.getByText('you get 40.00 EUR').waitFor({ timeout: waitMs });
      });
    });
  });
});
