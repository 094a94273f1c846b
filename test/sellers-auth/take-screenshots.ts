// Takes the README's screenshots of a seller's way in: `npx tsx test/sellers-auth/take-screenshots.ts`.
// The real store on a temp database: an operator adds a seller and makes an invite (the console's
// seller page with the link), then the seller's phone (360 px) opens it, sets a password, changes
// the payout number (the hold shows), and a fresh phone shows the sign-in page.
import { OUT, PHONE, screenshotBrowser } from '../browser/screenshots';
import { PASSWORD, startConsole } from '../console/helpers';

const SELLER_PASSWORD = 'my market stall 2026';

const store = await startConsole();
const browser = await screenshotBrowser();
try {
  const url = store.sokoni.url;
  const operator = await browser.newPage({ viewport: PHONE });
  await operator.goto(`${url}/admin/sellers`);
  await operator.getByLabel('Email').fill('operator@example.com');
  await operator.getByLabel('Password').fill(PASSWORD);
  await operator.getByRole('button', { name: 'Sign in' }).click();
  await operator.getByLabel('Name').fill('Wanjiru Pottery');
  await operator.getByLabel('MoMo number').fill('46733900601');
  await operator.getByRole('button', { name: 'Check number and add seller' }).click();
  await operator.getByRole('button', { name: 'Create invite link' }).click();
  const link = await operator.getByLabel('Invite link').inputValue();
  await operator.screenshot({ path: `${OUT}console-seller-invite-phone.png`, fullPage: true });

  const seller = await browser.newPage({ viewport: PHONE });
  await seller.goto(link);
  await seller.screenshot({ path: `${OUT}seller-invite-phone.png`, fullPage: true });
  await seller.getByLabel('New password').fill(SELLER_PASSWORD);
  await seller.getByRole('button', { name: 'Set password and sign in' }).click();
  await seller.waitForURL(`${url}/seller`);
  await seller.goto(`${url}/seller/account`);
  await seller.getByLabel('New MoMo number').fill('46733900602');
  await seller.getByRole('button', { name: 'Change number' }).click();
  await seller.locator('#number-hold').waitFor();
  await seller.screenshot({ path: `${OUT}seller-account-held-phone.png`, fullPage: true });

  const later = await browser.newPage({ viewport: PHONE });
  await later.goto(`${url}/seller/sign-in`);
  await later.screenshot({ path: `${OUT}seller-sign-in-phone.png`, fullPage: true });
  console.log(`Screenshots written to ${OUT}`);
} finally {
  await browser.close();
  await store.close();
}
