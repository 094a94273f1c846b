// A seller's onboarding in Chromium at 360 px: an operator adds the seller (MoMo's name for the
// number shown beside the one typed), makes an invite link and copies it with the Copy button;
// the seller opens it on their phone, sets a password and lands in the portal, then signs in
// again with their MoMo number as they would type it. (The portal's pages are another branch's;
// the lead extends this journey to a sale and its payout.)
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserRequired, chromiumPath, INSTALL_HINT, launchChromium } from '../browser/chromium';
import { PASSWORD, startConsole, type ConsoleStore } from '../console/helpers';

const executablePath = chromiumPath();
if (!executablePath && !browserRequired) console.warn(`Browser tests skipped. ${INSTALL_HINT}`);

const PHONE = { width: 360, height: 740 };
const waitMs = 20_000;
const SELLER_PASSWORD = 'my market stall 2026';

describe.skipIf(!executablePath)('a seller is onboarded, in Chromium at 360 px', () => {
  let browser: Browser;
  let store: ConsoleStore;
  const contexts: BrowserContext[] = [];

  const phone = async (): Promise<Page> => {
    const context = await browser.newContext({ viewport: PHONE });
    contexts.push(context);
    return context.newPage();
  };

  beforeAll(async () => {
    browser = await launchChromium(executablePath!);
    store = await startConsole();
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await store?.close();
  });

  it('an operator adds a seller and copies the invite; the seller sets a password and signs in', async () => {
    const origin = store.sokoni.url;
    const operator = await phone();
    await operator.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    await operator.goto(`${origin}/admin/sellers`);
    await operator.getByLabel('Email').fill('operator@example.com');
    await operator.getByLabel('Password').fill(PASSWORD);
    await operator.getByRole('button', { name: 'Sign in' }).click();
    await operator.getByRole('heading', { name: 'Sellers' }).waitFor({ timeout: waitMs });

    await operator.getByLabel('Name').fill('Wanjiru Pottery');
    await operator.getByLabel('MoMo number').fill('46733900501');
    await operator.getByRole('button', { name: 'Check number and add seller' }).click();
    await operator.getByRole('heading', { name: /Wanjiru Pottery/ }).waitFor({ timeout: waitMs });
    expect(await operator.locator('[data-wallet-name]').textContent()).toBe('Sand Box');

    await operator.getByRole('button', { name: 'Create invite link' }).click();
    const field = operator.getByLabel('Invite link');
    await field.waitFor({ timeout: waitMs });
    const link = await field.inputValue();
    expect(link).toMatch(/\/seller\/invite\/[\w-]{43}$/);
    await operator.getByRole('button', { name: 'Copy link' }).click();
    await operator.getByRole('button', { name: 'Copied' }).waitFor({ timeout: waitMs });
    const copied = await operator.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(link);
    // Nothing on the page overflows a 360 px phone.
    expect(await operator.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    const seller = await phone();
    await seller.goto(copied);
    await seller.getByRole('heading', { name: 'Welcome, Wanjiru Pottery' }).waitFor({ timeout: waitMs });
    await seller.getByLabel('New password').fill(SELLER_PASSWORD);
    await seller.getByRole('button', { name: 'Set password and sign in' }).click();
    await seller.waitForURL(`${origin}/seller`, { timeout: waitMs });
    await seller.goto(`${origin}/seller/account`);
    await seller.getByRole('heading', { name: 'Your account' }).waitFor({ timeout: waitMs });
    expect(await seller.locator('#payout-number').textContent()).toBe('46733900501');

    // Later, on another phone: sign-in by MoMo number, written as people write it.
    const later = await phone();
    await later.goto(`${origin}/seller/account`);
    await later.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: waitMs });
    await later.getByLabel('Your MoMo number').fill('+46 733 900 501');
    await later.getByLabel('Password').fill(SELLER_PASSWORD);
    await later.getByRole('button', { name: 'Sign in' }).click();
    await later.getByRole('heading', { name: 'Your account' }).waitFor({ timeout: waitMs });
    expect(await later.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  }, 90_000);
});
