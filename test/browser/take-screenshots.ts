// Takes the README's screenshots: `npx tsx test/browser/take-screenshots.ts`. Runs the real
// store on a temp database in handset mode and walks a purchase at phone and desktop widths.
import type { Browser, Page } from 'playwright-core';
import { startStore, type Store } from '../checkout/helpers';
import { OUT, PHONE, screenshotBrowser } from './screenshots';

const DESKTOP = { width: 1280, height: 800 };

async function placeOrder(page: Page, store: Store, phone: string): Promise<void> {
  await page.goto(`${store.sokoni.url}/products/9a0d0c70-0000-4000-8000-000000000003`);
  await page.getByLabel('Quantity').fill('2');
  await page.getByLabel('MoMo phone number').fill(phone);
  await page.getByRole('button', { name: /^Pay .* with MoMo$/ }).click();
  await page.locator('[data-stage]').waitFor();
}

async function shoot(browser: Browser, store: Store): Promise<void> {
  for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
    const page = await browser.newPage({ viewport });
    await page.goto(`${store.sokoni.url}/`);
    await page.screenshot({ path: `${OUT}storefront-${size}.png` });

    await placeOrder(page, store, size === 'phone' ? '256 772 123456' : '256 772 654321');
    await page.screenshot({ path: `${OUT}order-waiting-${size}.png`, fullPage: size === 'phone' });
    await page.close();
  }

  const page = await browser.newPage({ viewport: PHONE });
  await page.goto(`${store.sokoni.url}/products/9a0d0c70-0000-4000-8000-000000000003`);
  await page.getByLabel('Quantity').fill('2');
  await page.getByLabel('MoMo phone number').fill('0772 123456');
  await page.getByRole('button', { name: /^Pay .* with MoMo$/ }).click();
  await page.locator('#phone-error').waitFor();
  await page.screenshot({ path: `${OUT}checkout-error-phone.png`, fullPage: true });

  await placeOrder(page, store, '256 772 111222');
  const [request] = store.control.pending('256772111222');
  store.control.approve(request!.referenceId, '12345');
  await page.locator('[data-stage="settled"]').waitFor({ timeout: 20_000 });
  await page.screenshot({ path: `${OUT}order-settled-phone.png`, fullPage: true });

  // The sandbox's test number that declines.
  await placeOrder(page, store, '46733123451');
  await page.locator('[data-stage="failed"]').waitFor({ timeout: 20_000 });
  await page.screenshot({ path: `${OUT}order-failed-phone.png`, fullPage: true });
  await page.close();
}

/** An order nobody approves, past STUCK_AFTER_S: what happens next, Check again, the shop's contact. */
async function shootStuck(browser: Browser): Promise<void> {
  const store = await startStore({ SANDBOX_APPROVAL: 'handset', STUCK_AFTER_S: '1', SHOP_CONTACT: '0772 000111 (Nakato, shop owner)' });
  try {
    const page = await browser.newPage({ viewport: PHONE });
    await placeOrder(page, store, '256 772 333444');
    await page.locator('.note.stuck').waitFor({ timeout: 20_000 });
    await page.screenshot({ path: `${OUT}order-stuck-phone.png`, fullPage: true });
    await page.close();
  } finally {
    await store.close();
  }
}

const browser = await screenshotBrowser();
const store = await startStore({ SANDBOX_APPROVAL: 'handset', SHOP_TIMEZONE: 'Africa/Kampala' });
try {
  await shoot(browser, store);
  await shootStuck(browser);
  console.log(`screenshots written to ${OUT}`);
} finally {
  await browser.close();
  await store.close();
}
