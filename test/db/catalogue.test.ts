import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  applyMigrations,
  createProduct,
  createSeller,
  DuplicateMsisdnError,
  getProduct,
  getSeller,
  listProducts,
  listSellers,
  UnknownSellerError,
  updateProduct,
  updateSeller,
  type Sql,
} from '../../src/db';
import { applyMigrationsUpTo, tempDatabase } from './helpers';
import { onPostgres, testSql, type TestSql } from './test-database';

let t: TestSql;
let sql: Sql;
beforeEach(async () => {
  t = await testSql();
  sql = t.sql;
});
afterEach(() => t.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('sellers', () => {
  it('creates, reads, lists and updates', async () => {
    const created = await createSeller(sql, { name: 'Mama Ntilie', msisdn: '256772000010', shareBps: 8000 });
    expect(created).toMatchObject({ name: 'Mama Ntilie', msisdn: '256772000010', shareBps: 8000 });
    expect(created.id).toMatch(UUID);
    expect(created.createdAt).toBe(created.updatedAt);
    expect(await getSeller(sql, created.id)).toEqual(created);
    expect(await listSellers(sql)).toEqual([created]);

    const updated = (await updateSeller(sql, created.id, { shareBps: 9000, name: undefined }))!;
    expect(updated).toMatchObject({ id: created.id, name: 'Mama Ntilie', msisdn: '256772000010', shareBps: 9000, createdAt: created.createdAt });
    expect(updated.updatedAt).toBeGreaterThanOrEqual(created.updatedAt);
  });

  it('answers undefined for unknown ids', async () => {
    expect(await getSeller(sql, crypto.randomUUID())).toBeUndefined();
    expect(await updateSeller(sql, crypto.randomUUID(), { name: 'x' })).toBeUndefined();
    expect(await t.count('sellers')).toBe(0);
  });
});

describe('products', () => {
  it('creates with the seller name, lists active ones, updates given fields only', async () => {
    const seller = await createSeller(sql, { name: 'Kato Hardware', msisdn: '256772000011', shareBps: 8000 });
    const hoe = await createProduct(sql, { sellerId: seller.id, name: 'Hoe', description: 'Forged', priceMinor: 1500, currency: 'EUR', active: true });
    const axe = await createProduct(sql, { sellerId: seller.id, name: 'Axe', description: '', priceMinor: 2500, currency: 'EUR', active: false });
    expect(hoe).toMatchObject({ sellerId: seller.id, sellerName: 'Kato Hardware', name: 'Hoe', priceMinor: 1500, currency: 'EUR', active: true });
    expect(hoe.id).toMatch(UUID);
    expect((await listProducts(sql)).map((p) => p.name)).toEqual(['Axe', 'Hoe']);
    expect((await listProducts(sql, { activeOnly: true })).map((p) => p.id)).toEqual([hoe.id]);

    const updated = (await updateProduct(sql, axe.id, { active: true, priceMinor: 2600 }))!;
    expect(updated).toMatchObject({ name: 'Axe', priceMinor: 2600, active: true, createdAt: axe.createdAt });
    expect(await getProduct(sql, axe.id)).toEqual(updated);
  });

  it('refuses an unknown seller and writes nothing', async () => {
    const seller = await createSeller(sql, { name: 'Kato Hardware', msisdn: '256772000011', shareBps: 8000 });
    const ghost = crypto.randomUUID();
    await expect(createProduct(sql, { sellerId: ghost, name: 'Hoe', description: '', priceMinor: 1500, currency: 'EUR', active: true })).rejects.toThrow(UnknownSellerError);
    expect(await t.count('products')).toBe(0);
    const hoe = await createProduct(sql, { sellerId: seller.id, name: 'Hoe', description: '', priceMinor: 1500, currency: 'EUR', active: true });
    await expect(updateProduct(sql, hoe.id, { sellerId: ghost })).rejects.toThrow(UnknownSellerError);
    expect((await getProduct(sql, hoe.id))!.sellerId).toBe(seller.id);
  });

  it('answers undefined for unknown ids', async () => {
    expect(await getProduct(sql, crypto.randomUUID())).toBeUndefined();
    expect(await updateProduct(sql, crypto.randomUUID(), { name: 'x' })).toBeUndefined();
  });
});

describe('seller activity and numbers (migration 003)', () => {
  it('deactivates a seller, whose products leave the list for sale', async () => {
    const seller = await createSeller(sql, { name: 'Kato Hardware', msisdn: '256772000011', shareBps: 8000 });
    expect(seller.active).toBe(true);
    const hoe = await createProduct(sql, { sellerId: seller.id, name: 'Hoe', description: '', priceMinor: 1500, currency: 'EUR', active: true });
    expect(await updateSeller(sql, seller.id, { active: false })).toMatchObject({ active: false, msisdn: '256772000011' });
    expect(await listProducts(sql, { activeOnly: true })).toEqual([]);
    expect(await getProduct(sql, hoe.id)).toMatchObject({ active: true, sellerActive: false });
    expect((await updateSeller(sql, seller.id, { name: 'Kato Tools' }))!.active).toBe(false);
  });

  it('allows one active seller per number', async () => {
    const first = await createSeller(sql, { name: 'First', msisdn: '256772000012', shareBps: 8000 });
    await expect(createSeller(sql, { name: 'Second', msisdn: '256772000012', shareBps: 8000 })).rejects.toThrow(DuplicateMsisdnError);
    await updateSeller(sql, first.id, { active: false });
    const second = await createSeller(sql, { name: 'Second', msisdn: '256772000012', shareBps: 8000 });
    await expect(updateSeller(sql, first.id, { active: true })).rejects.toThrow(DuplicateMsisdnError);
    expect((await listSellers(sql)).map((s) => [s.id, s.active])).toEqual([[first.id, false], [second.id, true]]);
  });

  // SQLite only: duplicate numbers are in SQLite files an older Sokoni wrote; no PostgreSQL database predates migration 003.
  it.skipIf(onPostgres)('keeps the oldest of duplicate numbers in an old database active and deactivates the rest', () => {
    const old = tempDatabase({ migrate: false });
    try {
      applyMigrationsUpTo(old.db, '001_initial.sql');
      const insert = old.db.prepare('INSERT INTO sellers (id, name, msisdn, share_bps, created_at, updated_at) VALUES (?, ?, ?, 8000, ?, ?)');
      insert.run('b-newer', 'Newer copy', '256772000013', 2000, 2000);
      insert.run('a-older', 'Older', '256772000013', 1000, 1000);
      insert.run('c-other', 'Other', '256772000014', 3000, 3000);
      applyMigrations(old.db);
      const rows = old.db.prepare('SELECT id, active FROM sellers ORDER BY id').all();
      expect(rows).toEqual([{ id: 'a-older', active: 1 }, { id: 'b-newer', active: 0 }, { id: 'c-other', active: 1 }]);
      expect(() => old.db.prepare('UPDATE sellers SET active = 1 WHERE id = ?').run('b-newer')).toThrow(/UNIQUE/);
    } finally {
      old.close();
    }
  });
});
