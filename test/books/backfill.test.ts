// Migration 004 books every existing order, so the books start complete: a database with orders
// in every state (movements written as migration 002 left them) gets exactly the journals the
// workflow would have posted.
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrationsUpTo, tempDatabase, type TempDatabase } from '../db/helpers';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

const SELLER = '11111111-1111-4111-8111-111111111111';
const PRODUCT = '22222222-2222-4222-8222-222222222222';
const T = 1_700_000_000_000;
const ref = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

// order status, collection status, payout status (none: no payout row)
const ORDERS: [string, string, string | null][] = [
  ['pending', 'pending', null],
  ['failed', 'failed', null],
  ['paid', 'successful', 'pending'],
  ['settled', 'successful', 'successful'],
  ['payout_failed', 'successful', 'failed'],
  ['settled', 'successful', 'successful'],
];

function writeRows(t: TempDatabase): void {
  const { db } = t;
  db.prepare(`INSERT INTO sellers VALUES (?, 'Seller', '256772000001', 8000, ?, ?)`).run(SELLER, T, T);
  db.prepare(`INSERT INTO products (id, seller_id, name, price_minor, currency, created_at, updated_at) VALUES (?, ?, 'Basket', 999, 'EUR', ?, ?)`).run(PRODUCT, SELLER, T, T);
  const movement = db.prepare(`INSERT INTO movements (order_id, kind, provider, party_msisdn, amount_minor, currency, reference_id, status, created_at, updated_at)
    VALUES (?, ?, 'momo', '256772123456', ?, 'EUR', ?, ?, ?, ?)`);
  ORDERS.forEach(([order, collection, payout], i) => {
    db.prepare(`INSERT INTO orders (id, product_id, seller_id, qty, unit_price_minor, amount_minor, currency, seller_share_bps,
      seller_amount_minor, platform_amount_minor, payer_msisdn, status, created_at, updated_at)
      VALUES (?, ?, ?, 1, 999, 999, 'EUR', 8000, 799, 200, '256772123456', ?, ?, ?)`).run(ref(i), PRODUCT, SELLER, order, T, T);
    movement.run(ref(i), 'collection', 999, ref(100 + i), collection, T, T + i);
    if (payout) movement.run(ref(i), 'payout', 799, ref(200 + i), payout, T, T + 10 + i);
  });
}

describe('migration 004 books the existing orders', () => {
  it('posts a collection journal per paid order and a payout journal per successful payout, all balanced', () => {
    const t = tempDatabase({ migrate: false });
    cleanups.push(t.close);
    applyMigrationsUpTo(t.db, '002_movements.sql');
    writeRows(t);
    applyMigrationsUpTo(t.db, '004_books.sql');

    const kinds = t.db.prepare(`SELECT kind, count(*) AS n FROM journals GROUP BY kind ORDER BY kind`).all();
    expect(kinds).toEqual([{ kind: 'collection', n: 4 }, { kind: 'payout', n: 2 }]);
    expect(t.db.prepare(`SELECT count(*) FROM (SELECT journal_id FROM entries GROUP BY journal_id HAVING sum(amount_minor) <> 0)`).pluck().get()).toBe(0);
    const sums = Object.fromEntries((t.db.prepare(`SELECT account, sum(amount_minor) AS s FROM entries GROUP BY account`).all() as { account: string; s: number }[]).map((r) => [r.account, r.s]));
    expect(sums).toEqual({
      collection: 4 * 999,
      platform_revenue: -4 * 200,
      [`seller_payable:${SELLER}`]: -4 * 799 + 2 * 799,
      disbursement: -2 * 799,
    });
    // Each journal is dated when its movement finished.
    expect(t.db.prepare(`SELECT at FROM journals WHERE kind = 'payout' ORDER BY at`).pluck().all()).toEqual([T + 13, T + 15]);
  });
});
