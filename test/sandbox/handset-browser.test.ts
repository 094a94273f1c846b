// The simulated handset in headless Chromium (#10): it asks for a number, refuses a short PIN with
// MoMo's hint, replaces an answered prompt by its outcome in words, and shows the number's SMS.
// Screenshots of the page at 360 px and on a desktop go to test/artifacts/.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox';
import { browserRequired, chromiumPath, INSTALL_HINT, launchChromium } from '../browser/chromium';
import { client, payment, transferBody, withSandbox, type Client } from './helpers';

const executablePath = chromiumPath();
if (!executablePath && !browserRequired) console.warn(`Browser tests skipped. ${INSTALL_HINT}`);
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const waitMs = 20_000;

describe.runIf(executablePath)('the handset page in Chromium', () => {
  let browser: Browser;
  let sb: RunningSandbox;
  let c: Client;
  beforeAll(async () => {
    browser = await launchChromium(executablePath!);
    sb = await withSandbox({ approval: 'handset' });
    c = await client(sb.url);
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await sb?.close();
  });

  it('asks for the number, then approves, rejects and shows the SMS of that number only', async () => {
    const number = '256774000070';
    await c.create('disbursement', '/v1_0/transfer', transferBody(number, { amount: '8', payeeNote: 'Payout for order 12' }));
    const first = await c.create('collection', '/v1_0/requesttopay', payment(number, { amount: '12', payeeNote: '2 x Matooke bunch' }));
    await c.create('collection', '/v1_0/requesttopay', payment('256774000071', { payeeNote: 'Someone else' }));

    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(`${sb.url}/handset`);
    expect(await page.locator('.request').count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}handset-ask-phone.png`, fullPage: true });
    await page.getByLabel(/Enter its number/).fill(number);
    await page.getByRole('button', { name: 'Open' }).click();
    const prompt = page.locator('.request', { hasText: '2 x Matooke bunch' });
    await prompt.waitFor({ timeout: waitMs });
    expect(await page.locator('body').innerText()).not.toContain('Someone else');
    await page.locator('.sms.received', { hasText: 'Payout for order 12' }).waitFor({ timeout: waitMs });
    await page.screenshot({ path: `${ARTIFACTS}handset-waiting-phone.png`, fullPage: true });

    await prompt.getByLabel('PIN').fill('12');
    await prompt.getByRole('button', { name: 'Approve' }).click();
    expect(await prompt.locator('.pin-error').innerText()).toBe('Enter your 4 to 6 digit PIN.');
    await prompt.getByLabel('PIN').fill('1234');
    await prompt.getByRole('button', { name: 'Approve' }).click();
    const done = page.locator('.request .result.success');
    await done.waitFor({ timeout: waitMs });
    expect(await done.innerText()).toBe('Approved. You paid 12 EUR for 2 x Matooke bunch.');
    expect(await page.locator('.request', { has: done }).locator('input, button').count()).toBe(0);

    // A second request, rejected: the outcome in words, never the reason code.
    await c.create('collection', '/v1_0/requesttopay', payment(number, { amount: '3', payeeNote: 'Sandals' }));
    const second = page.locator('.request', { hasText: 'Sandals' });
    await second.getByRole('button', { name: 'Reject' }).click({ timeout: waitMs });
    const refused = page.locator('.request .result.failure');
    await refused.waitFor({ timeout: waitMs });
    expect(await refused.innerText()).toBe('Rejected. You declined to pay 3 EUR; no money was taken.');
    expect(await page.locator('body').innerText()).not.toContain('APPROVAL_REJECTED');
    await page.locator('.sms.paid', { hasText: 'You have paid 12 EUR' }).waitFor({ timeout: waitMs });
    expect(await page.locator('#balances').innerText()).toBe('99996.00 EUR');
    expect(sb.sandbox.control.transaction(first.referenceId)!.status).toBe('SUCCESSFUL');
    await page.screenshot({ path: `${ARTIFACTS}handset-answered-phone.png`, fullPage: true });
    await page.close();

    const desktop = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await desktop.goto(`${sb.url}/handset?msisdn=${number}`);
    await desktop.locator('.sms.paid').waitFor({ timeout: waitMs });
    await desktop.screenshot({ path: `${ARTIFACTS}handset-desktop.png`, fullPage: true });
    await desktop.close();
  }, 90_000);
});
