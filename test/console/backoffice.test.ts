// The back office's order query, parsed from what people type, and its answer (and the
// catalogue desk's) when the database is gone, on either dialect.
import { describe, expect, it } from 'vitest';
import { createAccounts } from '../../src/accounts';
import { createBackoffice, createCatalogueDesk, parseOrderQuery } from '../../src/backoffice';
import { createCatalogue } from '../../src/catalogue';
import type { Checkout } from '../../src/checkout';
import { loadConfig } from '../../src/config';
import { databaseThatGoes } from './database-door';

describe('parseOrderQuery', () => {
  it('reads digits as phone digits and a financial transaction id, anything else as an exact id or reference', () => {
    expect(parseOrderQuery({ q: ' 4321 ' })).toMatchObject({ phoneSuffix: '4321', exact: '4321' });
    expect(parseOrderQuery({ q: '+256 772-4321' })).toMatchObject({ phoneSuffix: '2567724321' });
    const id = '9A0D0C70-0000-4000-8000-000000000001';
    expect(parseOrderQuery({ q: id })).toMatchObject({ exact: id.toLowerCase() });
    expect(parseOrderQuery({ q: '123' })).toMatchObject({ exact: '123' });
    expect(parseOrderQuery({ q: '123' }).phoneSuffix).toBeUndefined();
  });

  it('takes whole UTC days, the `to` day included', () => {
    expect(parseOrderQuery({ from: '2026-01-31', to: '2026-01-31' })).toMatchObject({ from: Date.UTC(2026, 0, 31), to: Date.UTC(2026, 1, 1) });
  });

  it('names the field it refuses', () => {
    const field = (input: Record<string, unknown>) => {
      try {
        parseOrderQuery(input);
        return null;
      } catch (error) {
        return (error as { field?: string }).field;
      }
    };
    expect(field({ status: 'lost' })).toBe('status');
    expect(field({ seller: 'not-an-id' })).toBe('seller');
    expect(field({ product: ['a', 'b'] })).toBe('product');
    expect(field({ from: '31/01/2026' })).toBe('from');
    expect(field({ from: '2026-02-01', to: '2026-01-01' })).toBe('to');
    expect(field({ q: 'x'.repeat(101) })).toBe('q');
    expect(field({ cursor: 'bm90IGEgY3Vyc29y' })).toBe('cursor');
    expect(field({ limit: '0' })).toBe('limit');
    expect(field({ limit: '101' })).toBe('limit');
  });
});

it('answers a busy refusal that says the database is not answering once it is gone', async () => {
  const database = await databaseThatGoes();
  try {
    const config = loadConfig({});
    const checkout = { balances: () => Promise.reject(new Error('no MoMo here')) } as unknown as Checkout;
    const backoffice = createBackoffice({ sql: database.sql, checkout, accounts: createAccounts({ db: database.sql, owner2fa: false }), settings: config.worker, providerTimeoutMs: 100 });
    expect((await backoffice.listOrders({})).orders).toEqual([]);
    await database.goAway();
    await expect(backoffice.listOrders({})).rejects.toThrow(expect.objectContaining({ kind: 'busy', code: 'database_unavailable' }));
    await expect(backoffice.today()).rejects.toThrow(/database is not answering/);
    expect(await backoffice.health()).toEqual({ database: false, momo: false, balances: null });
  } finally {
    await database.close();
  }
});

it('has the catalogue desk say the database is not answering once it is gone', async () => {
  const database = await databaseThatGoes();
  try {
    const catalogue = createCatalogue({ sql: database.sql, acceptsCurrency: () => true, verifyWallet: null });
    const desk = createCatalogueDesk({ catalogue, accounts: createAccounts({ db: database.sql, owner2fa: false }) });
    expect(await desk.sellers()).toEqual([]);
    await database.goAway();
    await expect(desk.sellers()).rejects.toThrow(expect.objectContaining({ kind: 'busy', code: 'database_unavailable' }));
    await expect(desk.products()).rejects.toThrow(/Sellers and products cannot be shown/);
  } finally {
    await database.close();
  }
});
