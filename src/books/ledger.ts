// The one way into the books: post a journal. It refuses a journal that does not balance, names
// an unknown account, or carries anything but whole minor units; the database refuses to change
// or remove what was posted (triggers in migrations/004_books.sql).
import { DomainError } from '../domain-error';
import { BooksStore, type JournalKind, type Sql } from '../db';
import { findCurrency } from '../money';
import { accountInfo, sellerOf } from './accounts';

/** A line of a journal: a debit is positive, a credit negative. */
export interface Line {
  account: string;
  amountMinor: number;
}

export interface JournalInput {
  kind: JournalKind;
  currency: string;
  lines: readonly Line[];
  at: number;
  orderId?: string | null;
  movementId?: number | null;
  note?: string | null;
  postedBy?: string | null;
}

const refuse = (code: string, message: string, field = 'lines') => new DomainError('invalid', code, message, field);

export class Ledger {
  readonly store: BooksStore;

  constructor(sql: Sql) {
    this.store = new BooksStore(sql);
  }

  /** The same ledger on a transaction's executor: what it posts is part of that transaction. */
  in(tx: Sql): Ledger {
    return new Ledger(tx);
  }

  /** Writes the journal and its entries in one transaction (the caller's, on `in(tx)`); returns the journal's id. */
  async post(input: JournalInput): Promise<number> {
    if (!findCurrency(input.currency)) throw refuse('invalid_currency', `currency ${input.currency} is not one Sokoni knows`, 'currency');
    // Zero lines say nothing (a 0 bps split has no seller share), and the entries table refuses them.
    const lines = input.lines.filter((line) => line.amountMinor !== 0);
    if (lines.length < 2) throw refuse('unbalanced_journal', 'a journal needs at least two non-zero lines');
    let sum = 0;
    for (const [i, line] of lines.entries()) {
      if (!Number.isSafeInteger(line.amountMinor)) throw refuse('invalid_amount', `lines[${i}].amountMinor must be a whole number of minor units`, `lines[${i}].amountMinor`);
      if (!accountInfo(line.account)) throw refuse('invalid_account', `lines[${i}].account ${line.account} is not an account`, `lines[${i}].account`);
      sum += line.amountMinor;
    }
    if (!Number.isSafeInteger(sum) || sum !== 0) {
      throw refuse('unbalanced_journal', `debits and credits differ by ${sum} minor units of ${input.currency}; a journal must balance`);
    }
    return this.store.transaction(async (store) => {
      // An operator's journal names accounts from outside: each seller is looked up, so the
      // refusal names its line. The workflow's journals name the order's seller, which the
      // orders' foreign key guarantees, and entries.seller_id's own foreign key refuses any other
      // (the insert fails and the transaction writes nothing), so they need no read (two per order).
      if (input.kind === 'operator') {
        for (const [i, line] of lines.entries()) {
          const seller = sellerOf(line.account);
          if (seller !== null && !(await store.sellerExists(seller))) throw refuse('invalid_account', `lines[${i}].account names no seller`, `lines[${i}].account`);
        }
      }
      return store.insertJournal(
        {
          kind: input.kind, currency: input.currency, orderId: input.orderId ?? null, movementId: input.movementId ?? null,
          note: input.note ?? null, postedBy: input.postedBy ?? null, at: input.at,
        },
        lines.map((line) => ({ account: line.account, sellerId: sellerOf(line.account), amountMinor: line.amountMinor })),
      );
    });
  }
}
