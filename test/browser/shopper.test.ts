// A shopper buys on the embedded sandbox in handset mode, in headless Chromium: storefront,
// checkout form, order page waiting, approval (or rejection) typed into the simulated handset
// page, and the order page following along without a reload.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStore, type Store } from '../checkout/helpers';
import { browserRequired, chromiumPath, INSTALL_HINT, launchChromium } from './chromium';
import { journey } from './journey';

const executablePath = chromiumPath();
if (!executablePath && !browserRequired) console.warn(`Browser tests skipped. ${INSTALL_HINT}`);

describe.runIf(!executablePath && browserRequired)('browser tests under CI=true', () => {
  it('have a Chromium to run in', () => {
    throw new Error(INSTALL_HINT);
  });
});

const waitMs = 20_000;

/** Counts top-level navigations from now on: the order page must update in place. */
function navigationCounter(page: Page): () => number {
  let count = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) count += 1;
  });
  return () => count;
}

async function buyFromStorefront(page: Page, store: Store, productName: string, qty: number, phone: string): Promise<void> {
  await page.goto(`${store.sokoni.url}/`);
  await page.getByRole('link', { name: `Pay with MoMo for ${productName}` }).click();
  await page.getByLabel('Quantity').fill(String(qty));
  await page.getByLabel('MoMo phone number').fill(phone);
}

async function openHandset(page: Page): Promise<Page> {
  const [handset] = await Promise.all([page.waitForEvent('popup'), page.getByRole('link', { name: 'Open the simulated phone' }).click()]);
  await handset.waitForLoadState();
  return handset;
}

describe.skipIf(!executablePath)('a shopper in Chromium', () => {
  let browser: Browser;
  let store: Store;

  beforeAll(async () => {
    browser = await launchChromium(executablePath!);
    // Generous MoMo timeout: one test holds a transfer back for 2 s to watch the "paid" state.
    store = await startStore({ SANDBOX_APPROVAL: 'handset', MOMO_TIMEOUT_MS: '10000' });
  });

  afterAll(async () => {
    await browser?.close();
    await store?.close();
  });

  it('buys on the storefront, approves on the handset page, and watches the order get paid then settled', async () => {
    const phone = '256772100200';
    await journey(browser, 'approve', async ({ page, step }) => {
      await step('storefront', async () => {
        await page.goto(`${store.sokoni.url}/`);
        expect(await page.getByRole('heading', { name: 'Matooke bunch' }).isVisible()).toBe(true);
        expect(await page.getByText('Sold by Ssemwanga Fresh Produce').first().isVisible()).toBe(true);
        expect(await page.getByText('payments are simulated').isVisible()).toBe(true);
      });

      await step('checkout form', async () => {
        await buyFromStorefront(page, store, 'Matooke bunch', 2, '256 772 100200');
        // The total follows the quantity before paying (€6.00 each).
        await page.locator('#total', { hasText: '€12.00' }).waitFor({ timeout: waitMs });
      });

      const navigations = await step('order page waiting', async () => {
        await page.getByRole('button', { name: /^Pay .* with MoMo$/ }).click();
        await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
        const status = page.locator('[data-stage="waiting"]');
        await status.waitFor({ timeout: waitMs });
        const text = await status.innerText();
        expect(text).toContain('Approve the payment on your phone');
        expect(text).toContain('€12.00');
        expect(text).toContain('2 x Matooke bunch');
        expect(text).toMatch(/Time left to approve: [45]:\d\d/);
        await page.evaluate(() => Object.assign(window, { sokoniSameDocument: true }));
        return navigationCounter(page);
      });

      const handset = await step('handset shows the request', async () => {
        const opened = await openHandset(page);
        expect(new URL(opened.url()).searchParams.get('msisdn')).toBe(phone);
        await opened.locator('.request .note', { hasText: '2 x Matooke bunch' }).waitFor({ timeout: waitMs });
        expect(await opened.locator('.request .value').innerText()).toBe('12.00');
        return opened;
      });

      await step('approve with the PIN', async () => {
        // Hold the seller's transfer back a moment, so "paid" is on screen before "settled".
        store.control.addFault({ kind: 'latency', operation: 'disbursement.transfer', latencyMs: 2_000, count: 1 });
        await handset.getByLabel('PIN').fill('12345');
        await handset.getByRole('button', { name: 'Approve' }).click();
        await handset.locator('.result.success').waitFor({ timeout: waitMs });
      });

      await step('order page says paid', async () => {
        await page.bringToFront();
        await page.locator('[data-stage="paid"]').waitFor({ timeout: waitMs });
        expect(await page.locator('#order-status').innerText()).toContain('Payment received');
      });

      await step('order page says the seller is paid', async () => {
        await page.locator('[data-stage="settled"]').waitFor({ timeout: waitMs });
        expect(await page.locator('#order-status').innerText()).toContain('the seller has been paid');
        expect(navigations()).toBe(0);
        expect(await page.evaluate(() => (window as unknown as { sokoniSameDocument?: boolean }).sokoniSameDocument)).toBe(true);
      });
    });
  });

  it('rejects on the handset page, sees why in plain words, and tries again with a new payment', async () => {
    const phone = '256772100300';
    await journey(browser, 'reject', async ({ page, step }) => {
      await step('checkout form', async () => {
        await buyFromStorefront(page, store, 'Beaded sandals', 1, phone);
      });

      const firstOrder = await step('order page waiting', async () => {
        await page.getByRole('button', { name: /^Pay .* with MoMo$/ }).click();
        await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
        await page.locator('[data-stage="waiting"]').waitFor({ timeout: waitMs });
        return page.url();
      });
      const navigations = navigationCounter(page);

      const handset = await step('handset shows the request', async () => {
        const opened = await openHandset(page);
        await opened.locator('.request .note', { hasText: '1 x Beaded sandals' }).waitFor({ timeout: waitMs });
        return opened;
      });

      await step('reject on the handset', async () => {
        await handset.getByRole('button', { name: 'Reject' }).click();
        await handset.locator('.result.failure').waitFor({ timeout: waitMs });
        await handset.close();
      });

      await step('order page explains the failure', async () => {
        await page.locator('[data-stage="failed"]').waitFor({ timeout: waitMs });
        const text = await page.locator('#order-status').innerText();
        expect(text).toContain('The payment did not go through');
        expect(text).toContain('The payment was declined on the phone.');
        expect(text).toContain('No money was taken');
        expect(navigations()).toBe(0);
      });

      await step('try again starts a new payment', async () => {
        await page.getByRole('button', { name: 'Try again' }).click();
        await page.waitForURL((url) => /\/orders\/[0-9a-f-]{36}$/.test(url.pathname) && url.href !== firstOrder);
        await page.locator('[data-stage="waiting"]').waitFor({ timeout: waitMs });
        expect(await page.locator('.summary').innerText()).toContain('1 × Beaded sandals');
        const waiting = store.control.pending(phone);
        expect(waiting).toHaveLength(1);
        expect(waiting[0]!.payeeNote).toBe('1 x Beaded sandals');
      });
    });
  });

  it('buys with JavaScript off: the form posts, and the order page refreshes itself until paid', async () => {
    const phone = '256772100400';
    await journey(browser, 'no-javascript', async ({ page, step }) => {
      await step('order page waiting', async () => {
        await buyFromStorefront(page, store, 'Roasted groundnuts, 1 kg', 3, phone);
        // Without JavaScript the button names no amount: a typed quantity would make it stale.
        await page.getByRole('button', { name: 'Pay with MoMo' }).click();
        await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
        expect(await page.locator('[data-stage="waiting"]').innerText()).toContain('€9.60');
      });

      await step('refreshed to settled', async () => {
        const [request] = store.control.pending(phone);
        store.control.approve(request!.referenceId, '1234');
        // The <noscript> refresh comes every 5 s.
        await page.locator('[data-stage="settled"]').waitFor({ timeout: 15_000 });
      });
    }, { javaScript: false });
  });
});
