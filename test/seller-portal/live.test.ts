// The seller live hub on the suite's database: a change to an order reaches only its seller's open
// pages; with no page open it does not listen at all; and a look-up that fails (the database gone)
// never throws back into the engine that announced the change.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSeller, createProduct, type Sql } from '../../src/db';
import { createSellerLive } from '../../src/sellers';
import { databaseThatGoes, type GoneDatabase } from '../console/database-door';

let database: GoneDatabase | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
});

async function orderOf(sql: Sql, sellerId: string, productId: string, id: string): Promise<void> {
  await sql.run(`INSERT INTO orders (id, product_id, seller_id, qty, unit_price_minor, amount_minor, currency, seller_share_bps,
    seller_amount_minor, platform_amount_minor, payer_msisdn, status, created_at, updated_at)
    VALUES (?, ?, ?, 1, 1000, 1000, 'EUR', 8000, 800, 200, '256772000999', 'paid', 1, 1)`, [id, productId, sellerId]);
}

describe('seller live hub', () => {
  it("tells only the order's seller, listens only while a page is open, and swallows a failed look-up", async () => {
    const gone = (database = await databaseThatGoes());
    const sql = gone.sql;
    const a = await createSeller(sql, { name: 'A', msisdn: '256772000001', shareBps: 8000 });
    const b = await createSeller(sql, { name: 'B', msisdn: '256772000002', shareBps: 8000 });
    const productOfA = await createProduct(sql, { sellerId: a.id, name: 'Basket', description: '', priceMinor: 1000, currency: 'EUR', active: true });
    await orderOf(sql, a.id, productOfA.id, '00000000-0000-4000-8000-00000000000a');

    let announce: ((orderId: string) => void) | null = null;
    const live = createSellerLive(sql, (listener) => {
      announce = listener;
      return () => (announce = null);
    });
    expect(announce).toBeNull();

    const told = { a: 0, b: 0 };
    const stopA = live.watch(a.id, () => told.a++);
    const stopB = live.watch(b.id, () => told.b++);
    announce!('00000000-0000-4000-8000-00000000000a');
    // The seller is looked up after the notice returns; b's page would be told by that same look-up.
    await vi.waitFor(() => expect(told.a).toBe(1));
    expect(told).toEqual({ a: 1, b: 0 });

    stopA();
    stopB();
    expect(announce).toBeNull();

    live.watch(a.id, () => told.a++);
    const notice = announce!;
    await gone.goAway();
    expect(() => notice('00000000-0000-4000-8000-00000000000a')).not.toThrow();
    // The failed look-up settles (a read queued behind it answers) without telling anyone.
    await expect(sql.get('SELECT 1')).rejects.toThrow();
    expect(told.a).toBe(1);
  });
});
