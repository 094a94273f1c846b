// Migration 006 rebuilds movements, order_events and journals to widen their CHECKs. It runs
// here on a database written by the 005 schema, with a settled order and its books: every row
// is kept, and the books' append-only triggers and the entries' currency check still hold.
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations, DEMO_PRODUCT_IDS, OrderStore, seedDemoCatalogue, demoSeedOptions, SqliteSql } from '../../src/db';
import { createPostings } from '../../src/books';
import { applyMigrationsUpTo, tempDatabase } from '../db/helpers';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

const ref = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('migration 006', () => {
  it('keeps every movement, event, journal and entry, and the books stay append-only', async () => {
    const t = tempDatabase({ migrate: false });
    cleanups.push(t.close);
    applyMigrationsUpTo(t.db, '005_accounts.sql');
    await seedDemoCatalogue(new SqliteSql(t.db), demoSeedOptions('sandbox', 8000)!);
    const sql = new SqliteSql(t.db);
    const orders = new OrderStore(sql);
    const product = (await orders.productForOrder(DEMO_PRODUCT_IDS[0]!))!;
    const now = 1_700_000_000_000;
    const lease = { holder: 'test', until: now };
    await orders.createOrderWithPayment({
      id: ref(1), idempotencyKey: null, productId: product.id, sellerId: product.sellerId, qty: 1, unitPriceMinor: 1000, amountMinor: 1000,
      currency: 'EUR', sellerShareBps: 8000, sellerAmountMinor: 800, platformAmountMinor: 200, payerMsisdn: '256772123456',
    }, ref(2), now, lease, 'momo');
    const collection = (await orders.movements.of(ref(1), 'collection'))!;
    await orders.movements.move(collection, { from: 'sending', to: 'successful', nextCheckAt: null }, now);
    await createPostings().collected(sql, (await orders.order(ref(1)))!, collection, now);
    const before = ['movements', 'movement_attempts', 'order_events', 'journals', 'entries'].map((table) => [table, t.count(table)]);

    applyMigrations(t.db);
    expect(['movements', 'movement_attempts', 'order_events', 'journals', 'entries'].map((table) => [table, t.count(table)])).toEqual(before);
    expect(await orders.movements.of(ref(1), 'collection')).toMatchObject({ status: 'successful', referenceId: ref(2), amountMinor: 1000 });
    expect(() => t.db.prepare(`UPDATE journals SET note = 'x'`).run()).toThrow(/append-only/);
    expect(() => t.db.prepare(`DELETE FROM journals`).run()).toThrow(/append-only/);
    const journal = t.db.prepare(`SELECT id FROM journals`).pluck().get() as number;
    expect(() => t.db.prepare(`INSERT INTO entries (journal_id, account, currency, amount_minor, at) VALUES (?, 'collection', 'UGX', 1, 0)`).run(journal))
      .toThrow(/journal's currency/);
    // A second payout per order is still refused; refunds may be several.
    const movement = { orderId: ref(1), provider: 'momo', partyMsisdn: '256772123456', amountMinor: 100, currency: 'EUR' };
    await orders.movements.insert({ ...movement, kind: 'refund', referenceId: ref(3) }, lease, now);
    await orders.movements.insert({ ...movement, kind: 'refund', referenceId: ref(4) }, lease, now);
    await orders.movements.insert({ ...movement, kind: 'payout', referenceId: ref(5) }, lease, now);
    await expect(orders.movements.insert({ ...movement, kind: 'payout', referenceId: ref(6) }, lease, now)).rejects.toThrow(/UNIQUE/);
  });
});
