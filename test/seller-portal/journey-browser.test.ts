// Issue #15's acceptance, the seller's whole journey in order, in Chromium at 360 px on the real
// app and the real sandbox in handset mode: an operator adds a seller (MoMo's name for the number
// beside the one typed) and their product, copies the invite link; the seller sets a password
// from it and later signs in by MoMo number on another phone; a shopper buys the product and
// approves on the sandbox handset; the seller's open Sales page shows the sale and then "Paid"
// without a reload, with 80% of the price; the statement CSV has the lines; the seller's handset
// shows MoMo's payout SMS.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserRequired, chromiumPath, INSTALL_HINT, launchChromium } from '../browser/chromium';
import { journey } from '../browser/journey';
import { PASSWORD, startConsole, type ConsoleStore } from '../console/helpers';

const executablePath = chromiumPath();
if (!executablePath && !browserRequired) console.warn(`Browser tests skipped. ${INSTALL_HINT}`);

const PHONE = { width: 360, height: 740 };
const waitMs = 20_000;
const SELLER = { name: 'Wanjiru Pottery', msisdn: '256772000751', typed: '+256 772 000 751', password: 'my market stall 2026' };
const SHOPPER_MSISDN = '256772000752';
const PRODUCT = 'Glazed water jar';
// 2 × 12.35 = 24.70; the seller's 80% is 19.76 and the fee 4.94, to the cent.
const PRICE = '12.35';

const fitsThePhone = async (page: Page) => expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

/** Counts top-level navigations from now on: a live page must change in place. */
function navigationCounter(page: Page): () => number {
  let count = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) count += 1;
  });
  return () => count;
}

describe.skipIf(!executablePath)("a seller's whole journey, in Chromium at 360 px", () => {
  let browser: Browser;
  let store: ConsoleStore;

  beforeAll(async () => {
    browser = await launchChromium(executablePath!);
    // FUNDS_CHECK_S=1: a payout waiting for the shop's funds goes out within a second of a top-up.
    store = await startConsole({ SANDBOX_APPROVAL: 'handset', FUNDS_CHECK_S: '1' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await store?.close();
  });

  it('onboarded by an operator, the seller watches a shopper’s purchase become their paid share', async () => {
    const origin = store.sokoni.url;
    await journey(browser, 'seller journey', async ({ page: seller, step, phone }) => {
      const operator = await phone();
      await operator.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });

      await step('operator adds the seller, MoMo names the wallet', async () => {
        await operator.goto(`${origin}/admin/sellers`);
        await operator.getByLabel('Email').fill('operator@example.com');
        await operator.getByLabel('Password').fill(PASSWORD);
        await operator.getByRole('button', { name: 'Sign in' }).click();
        await operator.getByRole('heading', { name: 'Sellers' }).waitFor({ timeout: waitMs });
        await operator.getByLabel('Name').fill(SELLER.name);
        await operator.getByLabel('MoMo number').fill(SELLER.msisdn);
        await operator.getByRole('button', { name: 'Check number and add seller' }).click();
        await operator.getByRole('heading', { name: SELLER.name }).waitFor({ timeout: waitMs });
        // The sandbox's basicuserinfo names every customer "Sand Box" (momo-api.md §4.4).
        expect(await operator.locator('[data-wallet-name]').textContent()).toBe('Sand Box');
        await fitsThePhone(operator);
      });

      const link = await step('operator copies the invite link', async () => {
        await operator.getByRole('button', { name: 'Create invite link' }).click();
        const field = operator.getByLabel('Invite link');
        await field.waitFor({ timeout: waitMs });
        const shown = await field.inputValue();
        expect(shown).toMatch(/\/seller\/invite\/[\w-]{43}$/);
        await operator.getByRole('button', { name: 'Copy link' }).click();
        await operator.getByRole('button', { name: 'Copied' }).waitFor({ timeout: waitMs });
        const copied = await operator.evaluate(() => navigator.clipboard.readText());
        expect(copied).toBe(shown);
        await fitsThePhone(operator);
        return copied;
      });

      await step("operator adds the seller's product", async () => {
        await operator.goto(`${origin}/admin/products`);
        await operator.getByRole('heading', { name: 'Add a product' }).waitFor({ timeout: waitMs });
        await operator.getByLabel('Seller').selectOption({ label: SELLER.name });
        await operator.getByLabel('Name').fill(PRODUCT);
        await operator.getByLabel('Price').fill(PRICE);
        await operator.getByLabel('Currency').selectOption('EUR');
        await operator.getByRole('button', { name: 'Add product' }).click();
        await operator.getByRole('heading', { name: PRODUCT }).waitFor({ timeout: waitMs });
      });

      await step('the seller sets a password from the link; their account shows the checked number', async () => {
        const first = await phone();
        await first.goto(link);
        await first.getByRole('heading', { name: `Welcome, ${SELLER.name}` }).waitFor({ timeout: waitMs });
        await first.getByLabel('New password').fill(SELLER.password);
        await first.getByRole('button', { name: 'Set password and sign in' }).click();
        await first.getByRole('heading', { name: 'Your sales and payouts' }).waitFor({ timeout: waitMs });
        await first.goto(`${origin}/seller/account`);
        expect(await first.locator('#payout-number').textContent()).toBe(SELLER.msisdn);
        await fitsThePhone(first);
      });

      const navigations = await step('the seller signs in by MoMo number and opens Sales', async () => {
        await seller.goto(`${origin}/seller/sales`);
        await seller.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: waitMs });
        await seller.getByLabel('Your MoMo number').fill(SELLER.typed);
        await seller.getByLabel('Password').fill(SELLER.password);
        await seller.getByRole('button', { name: 'Sign in' }).click();
        await seller.getByRole('heading', { name: 'Sales', exact: true }).waitFor({ timeout: waitMs });
        await seller.getByText('No sales in this period yet').waitFor({ timeout: waitMs });
        return navigationCounter(seller);
      });

      const shopper = await phone();
      const handset = await step('a shopper buys the product and opens the handset', async () => {
        // The shop's disbursement account is empty, so the payout waits for funds: the sale is
        // on the seller's page before it is paid, with no race against the clock.
        store.control.setBalance({ account: 'disbursement' }, 'EUR', '0');
        await shopper.goto(`${origin}/`);
        await shopper.getByRole('link', { name: `Pay with MoMo for ${PRODUCT}` }).click();
        await shopper.getByLabel('Quantity').fill('2');
        await shopper.getByLabel('MoMo phone number').fill(SHOPPER_MSISDN);
        await shopper.getByRole('button', { name: /^Pay .* with MoMo$/ }).click();
        await shopper.locator('[data-stage="waiting"]').waitFor({ timeout: waitMs });
        const [opened] = await Promise.all([shopper.waitForEvent('popup'), shopper.getByRole('link', { name: 'Open the simulated phone' }).click()]);
        await opened.locator('.request .note', { hasText: `2 x ${PRODUCT}` }).waitFor({ timeout: waitMs });
        expect(await opened.locator('.request .value').innerText()).toBe('24.70');
        return opened;
      });

      await step('the shopper approves with the PIN', async () => {
        await handset.getByLabel('PIN').fill('12345');
        await handset.getByRole('button', { name: 'Approve' }).click();
        await handset.locator('.result.success').waitFor({ timeout: waitMs });
      });

      const orderId = await step("the sale appears on the seller's Sales page, its payout not yet sent", async () => {
        const row = seller.locator('tr[data-sale]');
        await row.locator('[data-payout-state="waiting_funds"]').waitFor({ timeout: waitMs });
        const text = await row.innerText();
        expect(text).toContain(`2 × ${PRODUCT}`);
        expect(text).toContain('€24.70');
        expect(text).toContain('Fee €4.94');
        expect(text).toContain('You get €19.76');
        expect(navigations()).toBe(0);
        await fitsThePhone(seller);
        return (await row.getAttribute('data-sale'))!;
      });

      await step('the shop tops up; the sale turns Paid without a reload', async () => {
        store.control.setBalance({ account: 'disbursement' }, 'EUR', '1000');
        const row = seller.locator(`tr[data-sale="${orderId}"]`);
        await row.locator('[data-payout-state="paid"]').waitFor({ timeout: waitMs });
        expect(await row.locator('[data-payout-state]').innerText()).toBe('Paid');
        expect(await row.innerText()).toContain('You get €19.76');
        expect(navigations()).toBe(0);
      });

      await step('the statement CSV has the sale and its payout', async () => {
        const csv = await seller.evaluate(async () => (await fetch('/seller/statement?format=csv')).text());
        expect(csv).toContain(`,collection,${orderId},,19.76,19.76,EUR`);
        expect(csv).toContain(`,payout,${orderId},,-19.76,0.00,EUR`);
      });

      await step("the seller's handset shows the payout SMS", async () => {
        await seller.goto(`${origin}/sandbox/handset?msisdn=${SELLER.msisdn}`);
        await seller.locator('#messages .sms', { hasText: `Sokoni 2x ${PRODUCT}: sale 24.70, fee 4.94, you get 19.76 EUR` }).waitFor({ timeout: waitMs });
      });
    }, { viewport: PHONE });
    // About 35 s alone; room for a 2-core machine shared with other runs.
  }, 90_000);
});
