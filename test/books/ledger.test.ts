// The ledger's two guarantees: a journal that does not balance is never written, and what was
// written cannot be changed or removed (the database itself refuses).
import { afterEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/books';
import { DomainError } from '../../src/domain-error';
import { BooksStore, ENTRIES_PER_INSERT, type Sql } from '../../src/db';
import { countingSql } from '../db/counting-sql';
import { testSql, type TestSql } from '../db/test-database';

const SELLER = '11111111-1111-4111-8111-111111111111';
const T = 1_700_000_000_000;

let t: TestSql;
afterEach(() => t.close());

async function ledger(): Promise<Ledger> {
  t = await testSql();
  await t.sql.run(`INSERT INTO sellers (id, name, msisdn, share_bps, created_at, updated_at) VALUES (?, 'Seller', '256772000001', 8000, ?, ?)`, [SELLER, T, T]);
  return new Ledger(t.sql);
}

/** The database's refusal of a statement, as a message. */
const refused = (text: string, params: unknown[]) => t.sql.run(text, params).then(() => 'not refused', (error: Error) => error.message);

const refusal = async (fn: () => Promise<unknown>): Promise<DomainError> => {
  try {
    await fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('posting a journal', () => {
  it('writes a balanced journal with its entries', async () => {
    const books = await ledger();
    const id = await books.post({
      kind: 'operator', currency: 'EUR', at: T, note: 'fund payouts', postedBy: 'admin',
      lines: [{ account: 'disbursement', amountMinor: 5000 }, { account: 'collection', amountMinor: -5000 }],
    });
    expect(await t.sql.all('SELECT account, amount_minor AS a FROM entries WHERE journal_id = ? ORDER BY id', [id])).toEqual([
      { account: 'disbursement', a: 5000 }, { account: 'collection', a: -5000 },
    ]);
  });

  it('refuses a journal whose debits and credits differ, and writes nothing', async () => {
    const books = await ledger();
    const error = await refusal(() => books.post({
      kind: 'collection', currency: 'EUR', at: T,
      lines: [{ account: 'collection', amountMinor: 1000 }, { account: `seller_payable:${SELLER}`, amountMinor: -800 }, { account: 'platform_revenue', amountMinor: -199 }],
    }));
    expect(error).toMatchObject({ kind: 'invalid', code: 'unbalanced_journal', field: 'lines' });
    expect(await t.count('journals')).toBe(0);
    expect(await t.count('entries')).toBe(0);
  });

  it('refuses unknown accounts, sellers that do not exist, fractions and one-sided journals', async () => {
    const books = await ledger();
    const post = (lines: { account: string; amountMinor: number }[]) => refusal(() => books.post({ kind: 'operator', currency: 'EUR', at: T, note: 'x', postedBy: 'a', lines }));
    expect((await post([{ account: 'petty_cash', amountMinor: 1 }, { account: 'collection', amountMinor: -1 }])).field).toBe('lines[0].account');
    expect(await post([{ account: 'seller_payable:nobody', amountMinor: 1 }, { account: 'collection', amountMinor: -1 }])).toMatchObject({ code: 'invalid_account', field: 'lines[0].account' });
    expect((await post([{ account: 'suspense', amountMinor: 0.5 }, { account: 'collection', amountMinor: -0.5 }])).code).toBe('invalid_amount');
    expect((await post([{ account: 'suspense', amountMinor: 0 }, { account: 'collection', amountMinor: 0 }])).code).toBe('unbalanced_journal');
    expect(await t.count('journals')).toBe(0);
  });
});

/** The statements that pass through `sql`, inside its transactions too. */
function recorded(sql: Sql, seen: string[]): Sql {
  return {
    dialect: sql.dialect,
    inTransaction: sql.inTransaction,
    all: (text, params) => (seen.push(text), sql.all(text, params)),
    get: (text, params) => (seen.push(text), sql.get(text, params)),
    run: (text, params) => (seen.push(text), sql.run(text, params)),
    transaction: (fn) => sql.transaction((tx) => fn(recorded(tx, seen))),
    committed: () => sql.committed(),
    afterCommit: (fn) => sql.afterCommit(fn),
  };
}

describe("the workflow's journals and their seller", () => {
  const collection = (seller: string) => ({
    kind: 'collection' as const, currency: 'EUR', at: T,
    lines: [{ account: 'collection', amountMinor: 1000 }, { account: `seller_payable:${seller}`, amountMinor: -800 }, { account: 'platform_revenue', amountMinor: -200 }],
  });

  it('posts without reading the seller: the order named it, and the foreign key holds it', async () => {
    await ledger();
    const seen: string[] = [];
    await new Ledger(recorded(t.sql, seen)).post(collection(SELLER));
    expect(seen.filter((text) => /FROM sellers/i.test(text))).toEqual([]);
    expect(await t.count('entries')).toBe(3);
  });

  it('still cannot post to a seller that does not exist: the entries refuse it, and nothing is written', async () => {
    const books = await ledger();
    await expect(books.post(collection('22222222-2222-4222-8222-222222222222'))).rejects.toThrow(/foreign key/i);
    expect(await t.count('journals')).toBe(0);
    expect(await t.count('entries')).toBe(0);
  });
});

describe('append-only', () => {
  it('refuses UPDATE and DELETE of entries and journals in the database itself', async () => {
    const books = await ledger();
    const id = await books.post({ kind: 'operator', currency: 'EUR', at: T, note: 'n', postedBy: 'a', lines: [{ account: 'disbursement', amountMinor: 10 }, { account: 'opening_equity', amountMinor: -10 }] });
    expect(await refused('UPDATE entries SET amount_minor = 11 WHERE journal_id = ?', [id])).toMatch(/append-only/);
    expect(await refused('DELETE FROM entries WHERE journal_id = ?', [id])).toMatch(/append-only/);
    expect(await refused(`UPDATE journals SET note = 'changed' WHERE id = ?`, [id])).toMatch(/append-only/);
    expect(await refused('DELETE FROM journals WHERE id = ?', [id])).toMatch(/append-only/);
    expect(await t.sql.get('SELECT sum(amount_minor) AS n FROM entries')).toEqual({ n: 0 });
    expect(await t.count('entries')).toBe(2);
  });

  it("writes a journal's entries in one statement, in the order of its lines", async () => {
    await ledger();
    const counted = countingSql(t.sql);
    const lines = [
      { account: 'collection', amountMinor: 1000 },
      { account: `seller_payable:${SELLER}`, amountMinor: -800 },
      { account: 'platform_revenue', amountMinor: -200 },
    ];
    const id = await new Ledger(counted).post({ kind: 'collection', currency: 'EUR', at: T, lines });
    expect(counted.statements.filter((text) => text.startsWith('INSERT INTO entries'))).toHaveLength(1);
    expect(await t.sql.all('SELECT account, seller_id AS sellerId, currency, amount_minor AS amountMinor, at FROM entries WHERE journal_id = ? ORDER BY id', [id])).toEqual([
      { account: 'collection', sellerId: null, currency: 'EUR', amountMinor: 1000, at: T },
      { account: `seller_payable:${SELLER}`, sellerId: SELLER, currency: 'EUR', amountMinor: -800, at: T },
      { account: 'platform_revenue', sellerId: null, currency: 'EUR', amountMinor: -200, at: T },
    ]);
  });

  it('writes a journal of more lines than one statement takes, whole', async () => {
    await ledger();
    const n = ENTRIES_PER_INSERT + 2;
    const lines = Array.from({ length: n }, (_, i) => ({ account: i % 2 === 0 ? 'disbursement' : 'opening_equity', amountMinor: i % 2 === 0 ? 5 : -5 }));
    const id = await new Ledger(t.sql).post({ kind: 'operator', currency: 'EUR', at: T, note: 'n', postedBy: 'a', lines });
    expect(await t.sql.get('SELECT count(*) AS n, sum(amount_minor) AS total FROM entries WHERE journal_id = ?', [id])).toEqual({ n, total: 0 });
  });

  it('refuses a multi-row insert with one entry in another currency than its journal, and writes none of its rows', async () => {
    await ledger();
    const store = new BooksStore(t.sql);
    const id = await store.insertJournal({ kind: 'operator', currency: 'EUR', orderId: null, movementId: null, note: 'n', postedBy: 'a', at: T },
      [{ account: 'disbursement', sellerId: null, amountMinor: 10 }, { account: 'opening_equity', sellerId: null, amountMinor: -10 }]);
    expect(await refused(`INSERT INTO entries (journal_id, account, currency, amount_minor, at) VALUES (?, 'suspense', 'EUR', 5, 0), (?, 'suspense', 'UGX', -5, 0)`, [id, id]))
      .toMatch(/currency/);
    expect(await t.count('entries')).toBe(2);
  });

  it('refuses an entry in another currency than its journal', async () => {
    const books = await ledger();
    const id = await books.post({ kind: 'operator', currency: 'EUR', at: T, note: 'n', postedBy: 'a', lines: [{ account: 'disbursement', amountMinor: 10 }, { account: 'opening_equity', amountMinor: -10 }] });
    expect(await refused(`INSERT INTO entries (journal_id, account, currency, amount_minor, at) VALUES (?, 'suspense', 'UGX', 5, 0)`, [id])).toMatch(/currency/);
  });
});
