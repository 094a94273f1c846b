// What the books say: balances (each seller's owed, on the way and paid; platform revenue; the
// expected MoMo account balances; every account), the journal page by page, and a seller's
// statement. Liabilities and income are shown as positive amounts owed or earned.
import type { AccountSum, BooksStore, JournalKind } from '../db';
import { DomainError } from '../domain-error';
import { accountInfo, sellerPayable } from './accounts';
import { amountJson } from './money-text';
import type { Period } from './time';

export interface SellerBalance {
  sellerId: string;
  name: string;
  currency: string;
  /** What Sokoni owes the seller now: shares of paid orders less successful payouts (includes what is on the way). */
  owedMinor: number;
  /** Payouts written and not final yet. */
  onTheWayMinor: number;
  /** Successful payouts in the period. */
  paidInPeriodMinor: number;
}

export interface Balances {
  from: number;
  to: number;
  /** What MoMo's collection and disbursement accounts should hold, by the books. */
  expectedMomo: { account: string; currency: string; amountMinor: number; amount: string }[];
  platformRevenue: { currency: string; inPeriodMinor: number; totalMinor: number }[];
  sellers: SellerBalance[];
  accounts: { account: string; kind: string; currency: string; balanceMinor: number }[];
}

export interface JournalLine {
  account: string;
  amountMinor: number;
  amount: string;
}

export interface JournalView {
  id: number;
  kind: JournalKind;
  currency: string;
  orderId: string | null;
  note: string | null;
  postedBy: string | null;
  at: number;
  lines: JournalLine[];
}

export interface StatementLine {
  at: number;
  kind: JournalKind;
  orderId: string | null;
  note: string | null;
  /** Positive: owed to the seller (a sale); negative: paid or taken back. */
  amountMinor: number;
  balanceMinor: number;
}

export interface Statement {
  sellerId: string;
  from: number;
  to: number;
  currencies: { currency: string; openingMinor: number; lines: StatementLine[]; closingMinor: number }[];
}

const key = (sellerId: string, currency: string) => `${sellerId} ${currency}`;

/**
 * Plain reads, not a transaction: SQLite's transactions take the write lock, and reports must
 * keep answering while another process holds it. A step that commits between two of the reads
 * shows in the later one only, as at PostgreSQL's read committed.
 */
export async function balances(store: BooksStore, period: Period): Promise<Balances> {
  const all = await store.accountSums(null);
  const names = await store.sellerNames();
  const sellers = new Map<string, SellerBalance>();
  const seller = (sellerId: string, currency: string): SellerBalance => {
    let row = sellers.get(key(sellerId, currency));
    if (!row) {
      row = { sellerId, name: names.get(sellerId) ?? '', currency, owedMinor: 0, onTheWayMinor: 0, paidInPeriodMinor: 0 };
      sellers.set(key(sellerId, currency), row);
    }
    return row;
  };
  for (const sum of all) {
    const sellerId = sum.account.startsWith('seller_payable:') ? sum.account.slice('seller_payable:'.length) : null;
    if (sellerId) seller(sellerId, sum.currency).owedMinor = -sum.amountMinor;
  }
  for (const row of await store.payoutsInFlight()) seller(row.sellerId, row.currency).onTheWayMinor = row.amountMinor;
  for (const row of await store.paidOut(period.from, period.to)) seller(row.sellerId, row.currency).paidInPeriodMinor = row.amountMinor;
  const inPeriod = new Map((await store.accountFlow('platform_revenue', period.from, period.to)).map((r) => [r.currency, -r.amountMinor]));
  const revenueTotals = all.filter((s) => s.account === 'platform_revenue');
  const currencies = new Set([...inPeriod.keys(), ...revenueTotals.map((r) => r.currency)]);
  return {
    from: period.from,
    to: period.to,
    expectedMomo: expectedMomo(all).map((r) => ({ account: r.account, ...amountJson(r.amountMinor, r.currency) })),
    platformRevenue: [...currencies].sort().map((currency) => ({
      currency,
      inPeriodMinor: inPeriod.get(currency) ?? 0,
      totalMinor: -(revenueTotals.find((r) => r.currency === currency)?.amountMinor ?? 0),
    })),
    sellers: [...sellers.values()].sort((a, b) => a.name.localeCompare(b.name) || a.sellerId.localeCompare(b.sellerId) || a.currency.localeCompare(b.currency)),
    accounts: all.map((s) => ({ account: s.account, kind: accountInfo(s.account)?.kind ?? 'unknown', currency: s.currency, balanceMinor: s.amountMinor })),
  };
}

/** The collection and disbursement asset accounts' balances: what MoMo should report. */
export function expectedMomo(sums: readonly AccountSum[]): AccountSum[] {
  return sums.filter((s) => s.account === 'collection' || s.account === 'disbursement');
}

export const maxJournalPage = 500;

/** Journals are written whole with their entries (one transaction), so the page's two reads agree without one of their own. */
export async function journalPage(store: BooksStore, period: Period, account: string | null, after: number, limit: number): Promise<{ journals: JournalView[]; next: string | null }> {
  const rows = await store.journalPage(period.from, period.to, account, after, limit);
  const first = rows[0];
  const last = rows.at(-1);
  const lines = new Map<number, JournalLine[]>();
  if (first && last) {
    for (const e of await store.entriesOfJournals(first.id, last.id)) {
      let list = lines.get(e.journalId);
      if (!list) lines.set(e.journalId, (list = []));
      list.push({ account: e.account, ...amountJson(e.amountMinor, e.currency) });
    }
  }
  return {
    journals: rows.map((j) => ({
      id: j.id, kind: j.kind, currency: j.currency, orderId: j.orderId, note: j.note, postedBy: j.postedBy, at: j.at, lines: lines.get(j.id) ?? [],
    })),
    next: rows.length === limit && last ? String(last.id) : null,
  };
}

/** Plain reads, as `balances`. */
export async function statement(store: BooksStore, sellerId: string, period: Period): Promise<Statement> {
  if (!(await store.sellerExists(sellerId))) throw new DomainError('not_found', 'seller_not_found', 'No seller with this id');
  const account = sellerPayable(sellerId);
  const opening = new Map((await store.balanceBefore(account, period.from)).map((s) => [s.currency, -s.amountMinor]));
  const currencies: Statement['currencies'] = [];
  for (const currency of await store.currenciesOf(account, period.to)) {
    const openingMinor = opening.get(currency) ?? 0;
    let balance = openingMinor;
    const lines = (await store.statementLines(account, period.from, period.to, currency)).map((row) => {
      balance -= row.amountMinor;
      return { at: row.at, kind: row.kind, orderId: row.orderId, note: row.note, amountMinor: -row.amountMinor, balanceMinor: balance };
    });
    currencies.push({ currency, openingMinor, lines, closingMinor: balance });
  }
  return { sellerId, from: period.from, to: period.to, currencies };
}
