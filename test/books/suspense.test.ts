// A payment MoMo reports SUCCESSFUL for another amount fails its order (AMOUNT_MISMATCH), but the
// money did arrive: the books hold it in suspense. The real provider, against the real sandbox,
// is wrapped to alter its status reads (no MoMo does this on purpose).
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PRODUCT_IDS, type Sql } from '../../src/db';
import { checkoutWithAlteredReads, finalOf } from '../checkout/altered-reads';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});


const entries = (sql: Sql) => sql.all(`SELECT j.kind, e.account, e.currency, e.amount_minor AS amountMinor FROM entries e JOIN journals j ON j.id = e.journal_id ORDER BY e.id`);

describe('money that arrived against a failed order', () => {
  it('a SUCCESSFUL payment for less is posted to suspense, for what arrived', async () => {
    const { checkout, sql } = await checkoutWithAlteredReads((tx) => ({ ...tx, amountMinor: tx.amountMinor! - 1 }), cleanups);
    const { snapshot } = await checkout.placeOrder({ productId: DEMO_PRODUCT_IDS[0]!, qty: 1, msisdn: '256772123456', idempotencyKey: null });
    const done = await finalOf(checkout, snapshot.order.id);
    expect(done.payment).toMatchObject({ status: 'failed', reason: 'AMOUNT_MISMATCH' });
    const arrived = done.order.amountMinor - 1;
    expect(await entries(sql)).toEqual([
      { kind: 'suspense', account: 'collection', currency: 'EUR', amountMinor: arrived },
      { kind: 'suspense', account: 'suspense', currency: 'EUR', amountMinor: -arrived },
    ]);
  });

  it('an unreadable amount posts nothing (reconciliation reports it), and the order still fails', async () => {
    const { checkout, sql } = await checkoutWithAlteredReads((tx) => ({ ...tx, amountMinor: null }), cleanups);
    const { snapshot } = await checkout.placeOrder({ productId: DEMO_PRODUCT_IDS[0]!, qty: 1, msisdn: '256772123456', idempotencyKey: null });
    expect((await finalOf(checkout, snapshot.order.id)).order.status).toBe('failed');
    expect(await entries(sql)).toEqual([]);
  });
});
