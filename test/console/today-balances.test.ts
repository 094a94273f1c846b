// Today puts MoMo's balances beside what the books expect, with the difference when they
// disagree: the real store, its sandbox's accounts set by its control API, the books as posted.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoProductId, pay, waitForOrder } from '../checkout/helpers';
import { signedIn, startConsole, type Browser, type ConsoleStore } from './helpers';

let store: ConsoleStore;
let viewer: Browser;

beforeAll(async () => {
  store = await startConsole();
  viewer = await signedIn(store, 'viewer');
});
afterAll(() => store?.close());

/** Each account's row on Today: MoMo's figure, the books' and the difference, as text. */
async function balanceRows(): Promise<Map<string, string[]>> {
  const html = (await viewer.get('/admin')).text;
  const rows = new Map<string, string[]>();
  for (const match of html.matchAll(/<tr data-balance="(\w+)"[^>]*>([\s\S]*?)<\/tr>/g)) {
    const cells = [...match[2]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim());
    rows.set(match[1]!, cells);
  }
  return rows;
}

it('says the accounts agree when MoMo holds what the books expect', async () => {
  store.control.setBalance({ account: 'collection' }, 'EUR', '0');
  store.control.setBalance({ account: 'disbursement' }, 'EUR', '0');
  const rows = await balanceRows();
  expect(rows.get('collection')).toEqual(['€0.00', '€0.00', 'Agree']);
  expect(rows.get('disbursement')).toEqual(['€0.00', '€0.00', 'Agree']);
});

it('shows the difference when MoMo holds more or less than the books', async () => {
  store.control.setBalance({ account: 'collection' }, 'EUR', '0');
  store.control.setBalance({ account: 'disbursement' }, 'EUR', '25.50');
  const order = (await pay(store, { productId: demoProductId, qty: 1, phone: '256772111333' })).body as { id: string };
  await waitForOrder(store, order.id, (o) => o.status === 'settled' || o.status === 'payout_failed');
  const after = await balanceRows();
  // The payment went into MoMo's collection account and into the books alike.
  expect(after.get('collection')![2]).toBe('Agree');
  // The 25.50 put in by hand is MoMo's only; the payout left both.
  expect(after.get('disbursement')![2]).toBe('+€25.50: MoMo holds more than the books');

  store.control.setBalance({ account: 'collection' }, 'EUR', '0');
  const emptied = await balanceRows();
  expect(emptied.get('collection')![2]).toMatch(/^−€\d+\.\d{2}: MoMo holds less than the books$/);
  expect((await viewer.get('/admin')).text).toContain('the nightly reconciliation lists each one');
});
