// MoMo's balances beside what the books expect them to be: the console's Today shows both and
// the difference, so an operator sees at a glance when money moved that the books do not know
// of (or the books hold what MoMo does not), before the nightly reconciliation says so.
import { findCurrency, parseDecimal } from '../money';

/** What the books say one MoMo account should hold (the books' `expectedMomo`). */
export interface ExpectedBalance {
  account: string;
  currency: string;
  amountMinor: number;
}

export interface ReportedBalances {
  collection: { availableBalance: string; currency: string };
  disbursement: { availableBalance: string; currency: string };
}

export interface BalanceComparison {
  account: 'collection' | 'disbursement';
  currency: string;
  /** null: MoMo answered in a currency or shape these books cannot read. */
  momoMinor: number | null;
  /** MoMo's answer as it came, for when it cannot be read. */
  momoText: string;
  booksMinor: number;
  /** MoMo minus the books; 0 when they agree, null when MoMo's answer cannot be read. */
  differenceMinor: number | null;
}

export function compareBalances(reported: ReportedBalances, expected: readonly ExpectedBalance[]): BalanceComparison[] {
  return (['collection', 'disbursement'] as const).map((account) => {
    const { availableBalance, currency } = reported[account];
    const booksMinor = expected.find((e) => e.account === account && e.currency === currency)?.amountMinor ?? 0;
    let momoMinor: number | null = null;
    // A balance MoMo reports below zero or in a currency we do not keep is shown as it came.
    if (findCurrency(currency)) {
      try {
        momoMinor = parseDecimal(availableBalance, currency);
      } catch {
        momoMinor = null;
      }
    }
    return { account, currency, momoMinor, momoText: availableBalance, booksMinor, differenceMinor: momoMinor === null ? null : momoMinor - booksMinor };
  });
}
