// Refunds in Chromium (issue #14): an operator asks for a partial refund on the order's page and
// sees it wait for a second person; an owner approves it on Refunds to approve; the shopper's
// order page, open all along, shows "Refunded €2.50 on …" without a reload, and the payer's
// simulated handset shows the money coming back.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccounts } from '../../src/accounts';
import { demoProductId, pay, startStore, waitForOrder, type Store } from '../checkout/helpers';
import { browserRequired, chromiumPath, INSTALL_HINT, launchChromium } from './chromium';
import { journey } from './journey';

const executablePath = chromiumPath();
if (!executablePath && !browserRequired) console.warn(`Browser tests skipped. ${INSTALL_HINT}`);

const waitMs = 20_000;
const PASSWORD = 'refund passphrase 2026';
const PAYER = '256772000777';

async function signIn(page: Page, store: Store, email: string): Promise<void> {
  await page.goto(`${store.sokoni.url}/admin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Today' }).waitFor({ timeout: waitMs });
}

describe.skipIf(!executablePath)('a partial refund in Chromium', () => {
  let browser: Browser;
  let store: Store;
  let orderId: string;

  beforeAll(async () => {
    browser = await launchChromium(executablePath!);
    store = await startStore();
    const accounts = createAccounts({ db: store.sokoni.sql, owner2fa: false });
    await accounts.createPerson(null, { email: 'operator@example.com', role: 'operator', password: PASSWORD });
    await accounts.createPerson(null, { email: 'owner@example.com', role: 'owner', password: PASSWORD });
    orderId = (await pay(store, { productId: demoProductId, qty: 2, phone: PAYER }, 10)).body.id as string;
    await waitForOrder(store, orderId, (o) => o.status === 'settled');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await store?.close();
  });

  it('an operator asks, a second person approves, and the shopper and the handset see the money back', async () => {
    await journey(browser, 'refund-operator', async ({ page, step }) => {
      await step('operator signs in and opens the order', async () => {
        await signIn(page, store, 'operator@example.com');
        await page.goto(`${store.sokoni.url}/admin/orders/${orderId}`);
      });
      await step('asks for part of it back', async () => {
        const amount = page.getByLabel('Amount (EUR)');
        expect(await amount.inputValue()).not.toBe('');
        await amount.fill('2.50');
        await page.getByLabel('Reason').fill('One of the two arrived broken');
        await page.getByRole('button', { name: 'Ask for the refund' }).click();
        await page.getByText('Waiting for a second person: you asked for it').waitFor({ timeout: waitMs });
      });
      await step('sees no approve button on their own request', async () => {
        await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Refunds to approve' }).click();
        await page.getByText('you asked for this refund').waitFor({ timeout: waitMs });
        expect(await page.getByRole('button', { name: /Approve/ }).count()).toBe(0);
      });
    });

    await journey(browser, 'refund-shopper-and-owner', async ({ context, page, step }) => {
      await step('the shopper keeps the order page open', async () => {
        await page.goto(`${store.sokoni.url}/orders/${orderId}`);
        await page.getByText('Paid, and the seller has been paid').waitFor({ timeout: waitMs });
        expect(await page.getByText(/Refunded €/).count()).toBe(0);
      });
      const console = await context.newPage();
      await step('an owner approves it', async () => {
        await signIn(console, store, 'owner@example.com');
        await console.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Refunds to approve' }).click();
        await console.getByText('One of the two arrived broken').waitFor({ timeout: waitMs });
        await console.getByRole('button', { name: /Approve the refund of €2\.50/ }).click();
        await console.getByText('Nothing waiting for approval.').waitFor({ timeout: waitMs });
      });
      await step("the shopper's page shows it, live", async () => {
        await page.getByText(/Refunded €2\.50 on \d{1,2} \w{3} \d{4}/).waitFor({ timeout: waitMs });
      });
      await step("the payer's handset shows the money coming back", async () => {
        await page.goto(`${store.sokoni.url}/sandbox/handset?msisdn=${PAYER}`);
        await page.locator('.sms.received', { hasText: 'You have received 2.50 EUR, a refund of your payment of' }).waitFor({ timeout: waitMs });
      });
    });
  }, 90_000);
});
