// The catalogue's "is it for sale" on the async port, and the synchronous answer the checkout
// still asks for while it places an order (issue #17): both say the same of every product.
import { afterEach, describe, expect, it } from 'vitest';
import { createCatalogue } from '../../src/catalogue';
import { createProduct, createSeller, SqliteSql, updateProduct, updateSeller } from '../../src/db';
import { tempDatabase, type TempDatabase } from '../db/helpers';

let t: TempDatabase | undefined;
afterEach(() => {
  t?.close();
  t = undefined;
});

describe('for sale', () => {
  it('agrees between findForSale and isForSaleNow: inactive product, inactive seller, a currency the market does not take', async () => {
    t = tempDatabase();
    const sql = new SqliteSql(t.db);
    const catalogue = createCatalogue({ sql, raw: t.db, acceptsCurrency: (code) => code === 'EUR', verifyWallet: null });
    const seller = await createSeller(sql, { name: 'Duka', msisdn: '256772000321', shareBps: 8000 });
    const product = (currency: string) => createProduct(sql, { sellerId: seller.id, name: `Basket ${currency}`, description: '', priceMinor: 1000, currency, active: true });
    const eur = await product('EUR');
    const ghs = await product('GHS');
    const answers = async (id: string) => [(await catalogue.findForSale(id)) !== undefined, catalogue.isForSaleNow(id)];

    expect(await answers(eur.id)).toEqual([true, true]);
    expect(await answers(ghs.id)).toEqual([false, false]);
    expect(await answers(crypto.randomUUID())).toEqual([false, false]);
    await updateProduct(sql, eur.id, { active: false });
    expect(await answers(eur.id)).toEqual([false, false]);
    await updateProduct(sql, eur.id, { active: true });
    await updateSeller(sql, seller.id, { active: false });
    expect(await answers(eur.id)).toEqual([false, false]);
    expect((await catalogue.listForSale()).map((p) => p.id)).toEqual([]);
  });

  it('refuses the synchronous answer without SQLite\'s own connection, rather than guessing', () => {
    t = tempDatabase();
    const catalogue = createCatalogue({ sql: new SqliteSql(t.db), acceptsCurrency: () => true, verifyWallet: null });
    expect(() => catalogue.isForSaleNow(crypto.randomUUID())).toThrow(/raw/);
  });
});
