// Onboarding in the console on the real store and sandbox: a number whose wallet is not active
// is refused (nothing written, the reason by the field), and a seller whose wallet is no longer
// active cannot be reactivated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from '../checkout/helpers';
import { auditRows, signedIn, startConsole, type Browser, type ConsoleStore } from '../console/helpers';
import { addSeller } from './helpers';

let store: ConsoleStore;
let operator: Browser;

beforeAll(async () => {
  store = await startConsole();
  operator = await signedIn(store, 'operator');
});
afterAll(() => store?.close());

// 46733123451 is the sandbox's NotActive account holder (momo-api.md §6.2).
const INACTIVE_WALLET = '46733123451';

describe('onboarding', () => {
  it('refuses a number whose wallet is not active, and writes no seller', async () => {
    const sellers = await count(store, 'sellers');
    const res = await operator.post('/admin/sellers', { name: 'Closed Wallet', msisdn: INACTIVE_WALLET, share: '80' }, { from: '/admin/sellers' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('id="seller-msisdn-error">msisdn is not an active MoMo wallet');
    expect(await count(store, 'sellers')).toBe(sellers);
  });

  it('does not reactivate a seller whose wallet is no longer active', async () => {
    const sellerId = await addSeller(operator, 'Gone Quiet', '46733900301');
    expect((await operator.post(`/admin/sellers/${sellerId}/deactivate`, {}, { from: `/admin/sellers/${sellerId}` })).status).toBe(303);
    // The wallet closed while the seller was away (a number saved before checks, or since closed).
    store.sokoni.db.prepare('UPDATE sellers SET msisdn = ? WHERE id = ?').run(INACTIVE_WALLET, sellerId);
    const res = await operator.post(`/admin/sellers/${sellerId}/reactivate`, {}, { from: `/admin/sellers/${sellerId}` });
    expect(res.status).toBe(422);
    expect(res.text).toContain('is not an active MoMo wallet');
    expect(store.sokoni.db.prepare('SELECT active FROM sellers WHERE id = ?').get(sellerId)).toEqual({ active: 0 });
    expect(auditRows(store, 'seller.reactivate').at(-1)).toMatchObject({ objectId: sellerId, outcome: 'refused' });
    // With an active wallet again, it reactivates.
    store.sokoni.db.prepare('UPDATE sellers SET msisdn = ? WHERE id = ?').run('46733900301', sellerId);
    expect((await operator.post(`/admin/sellers/${sellerId}/reactivate`, {}, { from: `/admin/sellers/${sellerId}` })).status).toBe(303);
    expect(store.sokoni.db.prepare('SELECT active FROM sellers WHERE id = ?').get(sellerId)).toEqual({ active: 1 });
  });
});
