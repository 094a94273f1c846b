// The operator console in Chromium: an owner adds an operator; the operator finds an order by
// the last four digits of the phone, reads its timeline, tops up and retries its failed payout,
// and watches it settle without reloading; a viewer sees a failed order with no retry button,
// and a forged retry post is refused (403) and audited.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccounts } from '../../src/accounts';
import { pay, sellerWithProduct, startStore, waitForOrder, type Store } from '../checkout/helpers';
import { browserRequired, chromiumPath, INSTALL_HINT, launchChromium } from './chromium';
import { journey } from './journey';
import { shortId } from '../../src/uuid';

const executablePath = chromiumPath();
if (!executablePath && !browserRequired) console.warn(`Browser tests skipped. ${INSTALL_HINT}`);

const waitMs = 20_000;
const OWNER_PASSWORD = 'owner passphrase 2026';
const OPERATOR_PASSWORD = 'operator passphrase 2026';
const VIEWER_PASSWORD = 'viewer passphrase 2026';

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true });

async function signIn(page: Page, store: Store, email: string, password: string): Promise<void> {
  await page.goto(`${store.sokoni.url}/admin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Today' }).waitFor({ timeout: waitMs });
}

describe.skipIf(!executablePath)('the operator console in Chromium', () => {
  let browser: Browser;
  let store: Store;
  let retried: string;
  let forViewer: string;

  beforeAll(async () => {
    browser = await launchChromium(executablePath!);
    store = await startStore();
    const accounts = createAccounts({ db: store.sokoni.sql, owner2fa: false });
    await accounts.createPerson(null, { email: 'owner@example.com', role: 'owner', password: OWNER_PASSWORD });
    await accounts.createPerson(null, { email: 'viewer@example.com', role: 'viewer', password: VIEWER_PASSWORD });
    const { productId } = await sellerWithProduct(store, '256772000901', 2500);
    store.control.setBalance({ account: 'disbursement' }, 'EUR', '0');
    // An empty disbursement account: the payouts wait for funds.
    retried = (await pay(store, { productId, qty: 1, phone: '256772554321' }, 2)).body.id;
    forViewer = (await pay(store, { productId, qty: 1, phone: '256772112233' }, 2)).body.id;
    for (const id of [retried, forViewer]) await waitForOrder(store, id, (o) => o.payout?.status === 'waiting_funds');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await store?.close();
  });

  it('an owner adds an operator, who finds an order by phone digits and retries its payout live', async () => {
    await journey(browser, 'console-owner', async ({ page, step }) => {
      await step('owner signs in', () => signIn(page, store, 'owner@example.com', OWNER_PASSWORD));
      await step('owner adds an operator', async () => {
        await nav(page, 'People').click();
        await page.getByLabel('Email').fill('operator@example.com');
        await page.getByLabel('Role', { exact: true }).selectOption('operator');
        await page.getByLabel('First password').fill(OPERATOR_PASSWORD);
        await page.getByRole('button', { name: 'Add person' }).click();
        await page.getByText('Added operator@example.com as operator').waitFor({ timeout: waitMs });
      });
    });

    await journey(browser, 'console-operator', async ({ page, step }) => {
      await step('operator signs in', () => signIn(page, store, 'operator@example.com', OPERATOR_PASSWORD));
      await step('finds the order by the last four digits', async () => {
        await nav(page, 'Orders').click();
        await page.getByLabel('Search').fill('4321');
        await page.getByRole('button', { name: 'Find orders' }).click();
        const rows = page.locator('tr[data-order]');
        await rows.first().waitFor({ timeout: waitMs });
        expect(await rows.count()).toBe(1);
        expect(await rows.first().getAttribute('data-order')).toBe(retried);
        await page.getByRole('link', { name: shortId(retried) }).click();
      });
      await step('reads the timeline', async () => {
        await page.getByRole('heading', { name: 'Timeline' }).waitFor({ timeout: waitMs });
        const timeline = await page.locator('.timeline').innerText();
        expect(timeline).toContain('Waiting for funds');
        expect(await page.locator('#order-live').innerText()).toContain('NOT_ENOUGH_FUNDS');
      });
      await step('tops up, retries, and watches it settle', async () => {
        store.control.setBalance({ account: 'disbursement' }, 'EUR', '1000');
        // The transfer is held back 2 s, so the page first shows the payout under way and must
        // then change by itself.
        store.control.addFault({ kind: 'latency', operation: 'disbursement.transfer', latencyMs: 2_000, count: 1 });
        await page.getByRole('button', { name: 'Retry payout' }).click();
        await page.waitForURL(`**/admin/orders/${retried}`);
        expect(await page.locator('#order-live [data-status]').getAttribute('data-status')).toBe('paid');
        let navigations = 0;
        page.on('framenavigated', (frame) => {
          if (frame === page.mainFrame()) navigations += 1;
        });
        await page.locator('#order-live [data-status="settled"]').waitFor({ timeout: waitMs });
        expect(navigations).toBe(0);
      });
    });
  }, 120_000);

  it('a viewer sees a failed order without the retry button; a forged retry is refused and audited', async () => {
    await journey(browser, 'console-viewer', async ({ page, step }) => {
      await step('viewer signs in', () => signIn(page, store, 'viewer@example.com', VIEWER_PASSWORD));
      await step('opens the failed order', async () => {
        await page.goto(`${store.sokoni.url}/admin/orders/${forViewer}`);
        await page.getByRole('heading', { name: 'Timeline' }).waitFor({ timeout: waitMs });
        expect(await page.locator('#order-live').innerText()).toContain('Waiting for funds');
        expect(await page.getByRole('button', { name: 'Retry payout' }).count()).toBe(0);
      });
      await step('forges a retry post', async () => {
        const token = await page.locator('input[name="_csrf"]').first().inputValue();
        const answer = await page.request.post(`${store.sokoni.url}/admin/orders/${forViewer}/retry-payout`, {
          form: { _csrf: token },
          headers: { accept: 'application/json' },
          maxRedirects: 0,
        });
        expect(answer.status()).toBe(403);
        const refusal = store.sokoni.db
          .prepare(`SELECT actor_email AS who, actor_role AS role, outcome FROM audit_log WHERE action = 'forbidden' AND object_id = ?`)
          .all(forViewer);
        expect(refusal).toEqual([{ who: 'viewer@example.com', role: 'viewer', outcome: 'refused' }]);
      });
    });
  }, 60_000);
});
