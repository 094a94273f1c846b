import { afterEach, describe, expect, it } from 'vitest';
import {
  createSeller,
  DEMO_PRODUCT_IDS,
  DEMO_SELLER_IDS,
  demoSeedOptions,
  ensureDemoCatalogue,
  getProduct,
  listProducts,
  listSellers,
  seedDemoCatalogue,
  SqliteSql,
  updateProduct,
} from '../../src/db';
import { currencyCodes, findCurrency } from '../../src/money';
import { tempDatabase, type TempDatabase } from './helpers';

let t: TempDatabase;
let sql: SqliteSql;
afterEach(() => t.close());

describe('demo catalogue', () => {
  it('seeds three sellers and six products in the given currency and share', async () => {
    t = tempDatabase();
    sql = new SqliteSql(t.db);
    expect(await seedDemoCatalogue(sql, { currency: 'EUR', shareBps: 8000 })).toEqual({ sellers: 3, products: 6 });
    const sellers = await listSellers(sql);
    expect(sellers.map((s) => s.id).sort()).toEqual(Object.values(DEMO_SELLER_IDS).sort());
    expect(sellers.every((s) => s.shareBps === 8000 && /^2567720000\d\d$/.test(s.msisdn))).toBe(true);
    const products = await listProducts(sql);
    expect(products.map((p) => p.id).sort()).toEqual([...DEMO_PRODUCT_IDS].sort());
    expect(products.every((p) => p.currency === 'EUR' && p.active && Number.isInteger(p.priceMinor) && p.priceMinor > 0)).toBe(true);
  });

  it('updates instead of duplicating when seeded again', async () => {
    t = tempDatabase();
    sql = new SqliteSql(t.db);
    await seedDemoCatalogue(sql, { currency: 'EUR', shareBps: 8000 });
    const id = DEMO_PRODUCT_IDS[0]!;
    const original = (await getProduct(sql, id))!;
    await updateProduct(sql, id, { name: 'Renamed', active: false });
    await seedDemoCatalogue(sql, { currency: 'EUR', shareBps: 7500 });
    expect(t.count('sellers')).toBe(3);
    expect(t.count('products')).toBe(6);
    const again = (await getProduct(sql, id))!;
    expect(again.name).toBe(original.name);
    expect(again.active).toBe(true);
    expect(again.createdAt).toBe(original.createdAt);
    expect((await listSellers(sql)).every((s) => s.shareBps === 7500)).toBe(true);
  });

  it('prices every demo product inside each currency\'s limits', async () => {
    t = tempDatabase();
    sql = new SqliteSql(t.db);
    for (const code of currencyCodes()) {
      await seedDemoCatalogue(sql, { currency: code, shareBps: 8000 });
      const { minMinor, maxMinor } = findCurrency(code)!;
      for (const p of await listProducts(sql)) {
        expect(p.currency).toBe(code);
        expect(p.priceMinor).toBeGreaterThanOrEqual(minMinor);
        expect(p.priceMinor).toBeLessThanOrEqual(maxMinor);
      }
    }
  });

  it('ensureDemoCatalogue seeds only a database without sellers', async () => {
    t = tempDatabase();
    sql = new SqliteSql(t.db);
    expect(await ensureDemoCatalogue(sql, { currency: 'EUR', shareBps: 8000 })).toBe(true);
    expect(await ensureDemoCatalogue(sql, { currency: 'EUR', shareBps: 8000 })).toBe(false);
    expect(t.count('products')).toBe(6);
  });

  it('ensureDemoCatalogue leaves a merchant\'s own catalogue alone', async () => {
    t = tempDatabase();
    sql = new SqliteSql(t.db);
    await createSeller(sql, { name: 'Real shop', msisdn: '256772999999', shareBps: 9000 });
    expect(await ensureDemoCatalogue(sql, { currency: 'EUR', shareBps: 8000 })).toBe(false);
    expect(t.count('sellers')).toBe(1);
    expect(t.count('products')).toBe(0);
  });

  it('is EUR in the sandbox and not offered on a live market', () => {
    t = tempDatabase();
    sql = new SqliteSql(t.db);
    expect(demoSeedOptions('sandbox', 8000)).toEqual({ currency: 'EUR', shareBps: 8000 });
    expect(demoSeedOptions('mtnuganda', 8000)).toBeNull();
  });
});
