// The catalogue's "is it for sale", which the checkout asks while it places an order: only an
// active product of an active seller, in a currency the market takes.
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
  it('is for sale unless: an inactive product, inactive seller, a currency the market does not take', async () => {
    t = tempDatabase();
    const sql = new SqliteSql(t.db);
    const catalogue = createCatalogue({ sql, acceptsCurrency: (code) => code === 'EUR', verifyWallet: null });
    const seller = await createSeller(sql, { name: 'Duka', msisdn: '256772000321', shareBps: 8000 });
    const product = (currency: string) => createProduct(sql, { sellerId: seller.id, name: `Basket ${currency}`, description: '', priceMinor: 1000, currency, active: true });
    const eur = await product('EUR');
    const ghs = await product('GHS');
    const answers = async (id: string) => (await catalogue.findForSale(id)) !== undefined;

    expect(await answers(eur.id)).toBe(true);
    expect(await answers(ghs.id)).toBe(false);
    expect(await answers(crypto.randomUUID())).toBe(false);
    await updateProduct(sql, eur.id, { active: false });
    expect(await answers(eur.id)).toBe(false);
    await updateProduct(sql, eur.id, { active: true });
    await updateSeller(sql, seller.id, { active: false });
    expect(await answers(eur.id)).toBe(false);
    expect((await catalogue.listForSale()).map((p) => p.id)).toEqual([]);
  });
});
