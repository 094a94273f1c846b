// The pay form in headless Chromium, with and without JavaScript: the button never shows an
// amount other than the one the phone will be asked for, and with DEFAULT_COUNTRY_CODE the form
// shows the number it will use. Screenshots of each state go to test/artifacts/pay-form/.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCT_IDS } from '../../src/db';
import { browserRequired, chromiumPath, INSTALL_HINT, launchChromium } from '../browser/chromium';
import { startShop, type Shop } from './storefront-helpers';

const executablePath = chromiumPath();
if (!executablePath && !browserRequired) console.warn(`Pay form browser tests skipped. ${INSTALL_HINT}`);

const OUT = fileURLToPath(new URL('../artifacts/pay-form/', import.meta.url));
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };
const basket = DEMO_PRODUCT_IDS[2]!; // Matooke, €6.00 each

const button = (page: Page) => page.locator('.pay-form button[type="submit"]');

describe.skipIf(!executablePath)('the pay form in Chromium', () => {
  let browser: Browser;
  let shop: Shop;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    browser = await launchChromium(executablePath!);
    shop = await startShop({ DEFAULT_COUNTRY_CODE: '256' });
  });

  afterAll(async () => {
    await browser?.close();
    await shop?.close();
  });

  it('without JavaScript shows no amount that a typed quantity could make wrong', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: PHONE });
    const page = await context.newPage();
    await page.goto(`${shop.sokoni.url}/products/${basket}`);
    await page.getByLabel('Quantity').fill('2');
    expect((await button(page).innerText()).trim()).toBe('Pay with MoMo');
    expect(await page.locator('#total').isVisible()).toBe(false);
    expect(await page.getByText('The total is the price times the quantity').isVisible()).toBe(true);
    await page.screenshot({ path: `${OUT}no-js-phone.png`, fullPage: true });
    await context.close();
  });

  it('with JavaScript follows the quantity, shows no amount for an invalid one, and the number it will use', async () => {
    for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
      const page = await browser.newPage({ viewport });
      await page.goto(`${shop.sokoni.url}/products/${basket}`);
      expect((await button(page).innerText()).trim()).toBe('Pay €6.00 with MoMo');
      await page.getByLabel('Quantity').fill('2');
      expect((await button(page).innerText()).trim()).toBe('Pay €12.00 with MoMo');
      expect(await page.locator('#total').innerText()).toBe('€12.00');
      await page.getByLabel('MoMo phone number').fill('0772 123456');
      await page.getByLabel('MoMo phone number').fill('46733123499');
      expect(await page.locator('#phone-used').innerText()).toBe('We will ask +46733123499 to approve the payment.');
      await page.getByLabel('MoMo phone number').fill('772 123456');
      expect(await page.locator('#phone-used').innerText()).toBe('We will ask +256772123456 to approve the payment.');
      await page.getByLabel('MoMo phone number').fill('0772 123456');
      expect(await page.locator('#phone-used').innerText()).toBe('We will ask +256772123456 to approve the payment.');
      await page.screenshot({ path: `${OUT}js-${size}.png`, fullPage: true });
      await page.getByLabel('Quantity').fill('');
      expect((await button(page).innerText()).trim()).toBe('Pay with MoMo');
      expect(await page.locator('#total-line').isVisible()).toBe(false);
      await page.getByLabel('Quantity').fill('101');
      expect((await button(page).innerText()).trim()).toBe('Pay with MoMo');
      await page.screenshot({ path: `${OUT}js-invalid-${size}.png`, fullPage: true });
      await page.close();
    }
  });
});
