// Every SQL statement of the books (src/books): journals and entries (append-only, enforced by
// triggers in migrations/004_books.sql), the reports' sums, keyset pages for the exports, and
// reconciliation runs with their items. The books room decides; this file only reads and writes.
import { atomically, insertId, valueRows, type Sql } from './sql';

export type JournalKind = 'collection' | 'payout' | 'suspense' | 'operator' | 'refund';

export interface NewJournal {
  kind: JournalKind;
  currency: string;
  orderId: string | null;
  movementId: number | null;
  note: string | null;
  postedBy: string | null;
  at: number;
}

export interface NewEntry {
  account: string;
  sellerId: string | null;
  amountMinor: number;
}

export interface JournalRow extends NewJournal {
  id: number;
}

export interface EntryRow {
  id: number;
  journalId: number;
  account: string;
  sellerId: string | null;
  currency: string;
  amountMinor: number;
  at: number;
}

export interface AccountSum {
  account: string;
  currency: string;
  amountMinor: number;
}

export interface SellerSum {
  sellerId: string;
  currency: string;
  amountMinor: number;
}

export interface StatementLineRow {
  entryId: number;
  journalId: number;
  kind: JournalKind;
  orderId: string | null;
  note: string | null;
  amountMinor: number;
  at: number;
}

export interface JournalExportRow {
  entryId: number;
  journalId: number;
  kind: JournalKind;
  orderId: string | null;
  note: string | null;
  postedBy: string | null;
  account: string;
  currency: string;
  amountMinor: number;
  at: number;
}

export interface SettlementExportRow {
  journalId: number;
  at: number;
  sellerId: string;
  sellerName: string;
  orderId: string;
  referenceId: string;
  financialTransactionId: string | null;
  currency: string;
  amountMinor: number;
  orderAmountMinor: number;
  platformAmountMinor: number;
}

/**
 * Where a page of orders or attempts ends: their time and id, the order they are paged in on
 * both databases (PostgreSQL has no rowid). BEFORE_ALL comes before every row.
 */
export interface RowKey {
  at: number;
  id: string;
}
export const BEFORE_ALL: RowKey = { at: -1, id: '' };

export interface OrderExportRow {
  id: string;
  createdAt: number;
  status: string;
  sellerId: string;
  productId: string;
  qty: number;
  currency: string;
  amountMinor: number;
  sellerAmountMinor: number;
  platformAmountMinor: number;
  paymentStatus: string | null;
  paymentTransactionId: string | null;
  payoutStatus: string | null;
}

/** One attempt at a movement, as reconciliation compares it with the provider. */
export interface AttemptForReconcile {
  createdAt: number;
  referenceId: string;
  attemptStatus: 'sending' | 'pending' | 'successful' | 'failed';
  movementId: number;
  kind: 'collection' | 'payout' | 'refund';
  provider: string;
  orderId: string;
  amountMinor: number;
  currency: string;
  reason: string | null;
}

export type ReconcileItemKind = 'status' | 'amount' | 'currency' | 'unknown' | 'balance';

export interface NewReconcileItem {
  kind: ReconcileItemKind;
  movementId: number | null;
  referenceId: string | null;
  orderId: string | null;
  account: string | null;
  currency: string | null;
  expected: string;
  actual: string;
}

export interface ReconcileItemRow extends NewReconcileItem {
  id: number;
  reconciliationId: number;
  resolvedAt: number | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
}

export interface ReconciliationRow {
  id: number;
  fromAt: number;
  toAt: number;
  startedBy: string;
  startedAt: number;
  finishedAt: number | null;
  checked: number;
  matched: number;
  open: number;
  error: string | null;
}

/**
 * The WHERE of the partial index movements_one_per_order, repeated word for word: SQLite uses a
 * partial index only when the query's terms contain the index's, and `kind = 'collection'`
 * alone does not count, which made every page of the orders export scan all movements.
 */
const oneMovementPerOrder = `('collection', 'payout')`;

// An optional filter is two statement texts, never `? IS NULL OR ...`: PostgreSQL cannot tell a
// parameter's type from `$1 IS NULL` alone.
const journalColumns = `id, kind, currency, order_id AS orderId, movement_id AS movementId, note, posted_by AS postedBy, at`;
const entryColumns = `id, journal_id AS journalId, account, seller_id AS sellerId, currency, amount_minor AS amountMinor, at`;
const itemColumns = `id, reconciliation_id AS reconciliationId, kind, movement_id AS movementId, reference_id AS referenceId,
  order_id AS orderId, account, currency, expected, actual, resolved_at AS resolvedAt, resolved_by AS resolvedBy,
  resolution_note AS resolutionNote`;
const runColumns = `id, from_at AS fromAt, to_at AS toAt, started_by AS startedBy, started_at AS startedAt,
  finished_at AS finishedAt, checked, matched, open, error`;

/** Rows per INSERT of entries: six parameters each, well within both databases' limits on parameters (SQLite's 32766, PostgreSQL's 65535). */
export const ENTRIES_PER_INSERT = 500;

/** `n` entries in one statement, written in the order given (their ids follow it). */
const insertEntries = (n: number) => `INSERT INTO entries (journal_id, account, seller_id, currency, amount_minor, at) VALUES ${valueRows(n, 6)}`;

export class BooksStore {
  constructor(private readonly sql: Sql) {}

  /** The same store on a transaction's executor, for code that runs inside it. */
  in(tx: Sql): BooksStore {
    return new BooksStore(tx);
  }

  /** Runs `fn` in one transaction (part of the caller's when this store is on a transaction's executor). */
  transaction<T>(fn: (store: BooksStore) => Promise<T>): Promise<T> {
    return atomically(this.sql, (tx) => fn(this.in(tx)));
  }

  /**
   * The journal, then its entries in one multi-row INSERT (in chunks of ENTRIES_PER_INSERT, far
   * above any journal's lines): one statement instead of one per entry, the hot path's most
   * frequent write (issue #16). The triggers still check each row, and a row they refuse fails
   * the whole statement, so a journal's entries land together or not at all.
   */
  insertJournal(journal: NewJournal, entries: readonly NewEntry[]): Promise<number> {
    return atomically(this.sql, async (tx) => {
      const id = await insertId(tx, `INSERT INTO journals (kind, currency, order_id, movement_id, note, posted_by, at)
        VALUES (@kind, @currency, @orderId, @movementId, @note, @postedBy, @at)`, { ...journal });
      for (let from = 0; from < entries.length; from += ENTRIES_PER_INSERT) {
        const chunk = entries.slice(from, from + ENTRIES_PER_INSERT);
        await tx.run(insertEntries(chunk.length),
          chunk.flatMap((entry) => [id, entry.account, entry.sellerId, journal.currency, entry.amountMinor, journal.at]));
      }
      return id;
    });
  }

  journalOfMovement(movementId: number): Promise<JournalRow | undefined> {
    return this.sql.get<JournalRow>(`SELECT ${journalColumns} FROM journals WHERE movement_id = ?`, [movementId]);
  }

  async sellerExists(sellerId: string): Promise<boolean> {
    return (await this.sql.get(`SELECT 1 AS yes FROM sellers WHERE id = ?`, [sellerId])) !== undefined;
  }

  /** Every account's balance per currency over entries before `before` (all when null). */
  accountSums(before: number | null): Promise<AccountSum[]> {
    return this.sql.all<AccountSum>(`SELECT account, currency, sum(amount_minor) AS amountMinor FROM entries
      ${before === null ? '' : 'WHERE at < ?'} GROUP BY account, currency ORDER BY account, currency`, before === null ? [] : [before]);
  }

  /** Sums of one account's entries in [from, to) per currency. */
  accountFlow(account: string, from: number, to: number): Promise<AccountSum[]> {
    return this.sql.all<AccountSum>(`SELECT account, currency, sum(amount_minor) AS amountMinor FROM entries
      WHERE account = ? AND at >= ? AND at < ? GROUP BY account, currency`, [account, from, to]);
  }

  /** What each seller was paid (payout journals) in [from, to). */
  paidOut(from: number, to: number): Promise<SellerSum[]> {
    return this.sql.all<SellerSum>(`SELECT e.seller_id AS sellerId, e.currency, sum(e.amount_minor) AS amountMinor
      FROM entries e JOIN journals j ON j.id = e.journal_id
      WHERE j.kind = 'payout' AND e.seller_id IS NOT NULL AND e.at >= ? AND e.at < ?
      GROUP BY e.seller_id, e.currency`, [from, to]);
  }

  /** Payouts written and not yet final: on their way to each seller. */
  payoutsInFlight(): Promise<SellerSum[]> {
    return this.sql.all<SellerSum>(`SELECT o.seller_id AS sellerId, m.currency, sum(m.amount_minor) AS amountMinor
      FROM movements m JOIN orders o ON o.id = m.order_id
      WHERE m.kind = 'payout' AND m.status IN ('sending', 'pending', 'retry_wait')
      GROUP BY o.seller_id, m.currency`);
  }

  async sellerNames(): Promise<Map<string, string>> {
    const rows = await this.sql.all<{ id: string; name: string }>(`SELECT id, name FROM sellers`);
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** Journals in [from, to) after `afterId`, optionally touching `account`, oldest first. */
  journalPage(from: number, to: number, account: string | null, afterId: number, limit: number): Promise<JournalRow[]> {
    return this.sql.all<JournalRow>(`SELECT ${journalColumns} FROM journals j
      WHERE j.id > ? AND j.at >= ? AND j.at < ?
        ${account === null ? '' : 'AND EXISTS (SELECT 1 FROM entries e WHERE e.journal_id = j.id AND e.account = ?)'}
      ORDER BY j.id LIMIT ?`, [afterId, from, to, ...(account === null ? [] : [account]), limit]);
  }

  entriesOfJournals(firstId: number, lastId: number): Promise<EntryRow[]> {
    return this.sql.all<EntryRow>(`SELECT ${entryColumns} FROM entries WHERE journal_id BETWEEN ? AND ? ORDER BY id`, [firstId, lastId]);
  }

  /** An account's balance per currency from its entries before `before`. */
  balanceBefore(account: string, before: number): Promise<AccountSum[]> {
    return this.sql.all<AccountSum>(`SELECT account, currency, sum(amount_minor) AS amountMinor FROM entries
      WHERE account = ? AND at < ? GROUP BY account, currency`, [account, before]);
  }

  /** One account's entries in [from, to) with their journals, in the order they were posted. */
  statementLines(account: string, from: number, to: number, currency: string): Promise<StatementLineRow[]> {
    return this.sql.all<StatementLineRow>(`SELECT e.id AS entryId, e.journal_id AS journalId, j.kind, j.order_id AS orderId, j.note,
      e.amount_minor AS amountMinor, e.at
      FROM entries e JOIN journals j ON j.id = e.journal_id
      WHERE e.account = ? AND e.currency = ? AND e.at >= ? AND e.at < ? ORDER BY e.at, e.id`, [account, currency, from, to]);
  }

  /** Currencies an account has entries in, up to `before`. */
  async currenciesOf(account: string, before: number): Promise<string[]> {
    const rows = await this.sql.all<{ currency: string }>(`SELECT DISTINCT currency FROM entries WHERE account = ? AND at < ? ORDER BY currency`, [account, before]);
    return rows.map((r) => r.currency);
  }

  exportJournalPage(from: number, to: number, account: string | null, afterEntryId: number, limit: number): Promise<JournalExportRow[]> {
    return this.sql.all<JournalExportRow>(`SELECT e.id AS entryId, e.journal_id AS journalId, j.kind, j.order_id AS orderId, j.note, j.posted_by AS postedBy,
      e.account, e.currency, e.amount_minor AS amountMinor, e.at
      FROM entries e JOIN journals j ON j.id = e.journal_id
      WHERE e.id > ? AND e.at >= ? AND e.at < ? ${account === null ? '' : 'AND e.account = ?'}
      ORDER BY e.id LIMIT ?`, [afterEntryId, from, to, ...(account === null ? [] : [account]), limit]);
  }

  exportSettlementPage(from: number, to: number, afterJournalId: number, limit: number): Promise<SettlementExportRow[]> {
    return this.sql.all<SettlementExportRow>(`SELECT j.id AS journalId, j.at, o.seller_id AS sellerId, s.name AS sellerName, o.id AS orderId,
      m.reference_id AS referenceId, m.financial_transaction_id AS financialTransactionId, m.currency,
      m.amount_minor AS amountMinor, o.amount_minor AS orderAmountMinor, o.platform_amount_minor AS platformAmountMinor
      FROM journals j JOIN movements m ON m.id = j.movement_id JOIN orders o ON o.id = j.order_id JOIN sellers s ON s.id = o.seller_id
      WHERE j.kind = 'payout' AND j.id > ? AND j.at >= ? AND j.at < ? ORDER BY j.id LIMIT ?`, [afterJournalId, from, to, limit]);
  }

  /** Orders created in [from, to), after `after`, by time then id (the orders_created index). */
  exportOrderPage(from: number, to: number, after: RowKey, limit: number): Promise<OrderExportRow[]> {
    return this.sql.all<OrderExportRow>(`SELECT o.id, o.created_at AS createdAt, o.status, o.seller_id AS sellerId, o.product_id AS productId,
      o.qty, o.currency, o.amount_minor AS amountMinor, o.seller_amount_minor AS sellerAmountMinor,
      o.platform_amount_minor AS platformAmountMinor, c.status AS paymentStatus, c.financial_transaction_id AS paymentTransactionId,
      p.status AS payoutStatus
      FROM orders o
      LEFT JOIN movements c ON c.order_id = o.id AND c.kind = 'collection' AND c.kind IN ${oneMovementPerOrder}
      LEFT JOIN movements p ON p.order_id = o.id AND p.kind = 'payout' AND p.kind IN ${oneMovementPerOrder}
      WHERE (o.created_at, o.id) > (?, ?) AND o.created_at >= ? AND o.created_at < ? ORDER BY o.created_at, o.id LIMIT ?`, [after.at, after.id, from, to, limit]);
  }

  /** Attempts at movements created in [from, to), after `after`, in the order they were written (by time, then reference). */
  attemptsPage(from: number, to: number, after: RowKey, limit: number): Promise<AttemptForReconcile[]> {
    return this.sql.all<AttemptForReconcile>(`SELECT a.created_at AS createdAt, a.reference_id AS referenceId, a.status AS attemptStatus, m.id AS movementId, m.kind,
      m.provider, m.order_id AS orderId, m.amount_minor AS amountMinor, m.currency, m.reason
      FROM movement_attempts a JOIN movements m ON m.id = a.movement_id
      WHERE (a.created_at, a.reference_id) > (?, ?) AND m.created_at >= ? AND m.created_at < ?
      ORDER BY a.created_at, a.reference_id LIMIT ?`, [after.at, after.id, from, to, limit]);
  }

  async attemptsCount(from: number, to: number): Promise<number> {
    const row = await this.sql.get<{ n: number }>(`SELECT count(*) AS n FROM movement_attempts a JOIN movements m ON m.id = a.movement_id
      WHERE m.created_at >= ? AND m.created_at < ?`, [from, to]);
    return row!.n;
  }

  async startReconciliation(from: number, to: number, startedBy: string, now: number): Promise<number> {
    const row = await this.sql.get<{ id: number }>(`INSERT INTO reconciliations (from_at, to_at, started_by, started_at) VALUES (?, ?, ?, ?) RETURNING id`,
      [from, to, startedBy, now]);
    return row!.id;
  }

  async finishReconciliation(id: number, counts: { checked: number; matched: number; open: number }, error: string | null, now: number): Promise<void> {
    await this.sql.run(`UPDATE reconciliations SET checked = ?, matched = ?, open = ?, error = ?, finished_at = ? WHERE id = ?`,
      [counts.checked, counts.matched, counts.open, error, now, id]);
  }

  /** `resolution`: the item is written already resolved (the same difference was resolved in an earlier run). */
  async insertItem(reconciliationId: number, item: NewReconcileItem, resolution: { at: number; by: string; note: string } | null = null): Promise<void> {
    await this.sql.run(`INSERT INTO reconciliation_items (reconciliation_id, kind, movement_id, reference_id, order_id, account, currency, expected, actual,
      resolved_at, resolved_by, resolution_note)
      VALUES (@reconciliationId, @kind, @movementId, @referenceId, @orderId, @account, @currency, @expected, @actual, @at, @by, @note)`,
    { reconciliationId, ...item, at: resolution?.at ?? null, by: resolution?.by ?? null, note: resolution?.note ?? null });
  }

  /** The first resolved item that recorded exactly this difference, if an operator has seen it before. */
  earlierResolution(item: NewReconcileItem): Promise<ReconcileItemRow | undefined> {
    return this.sql.get<ReconcileItemRow>(`SELECT ${itemColumns} FROM reconciliation_items
      WHERE kind = ? AND reference_id IS NOT DISTINCT FROM ? AND account IS NOT DISTINCT FROM ? AND currency IS NOT DISTINCT FROM ? AND expected = ? AND actual = ? AND resolved_at IS NOT NULL
      ORDER BY id LIMIT 1`, [item.kind, item.referenceId, item.account, item.currency, item.expected, item.actual]);
  }

  reconciliation(id: number): Promise<ReconciliationRow | undefined> {
    return this.sql.get<ReconciliationRow>(`SELECT ${runColumns} FROM reconciliations WHERE id = ?`, [id]);
  }

  latestReconciliations(limit: number): Promise<ReconciliationRow[]> {
    return this.sql.all<ReconciliationRow>(`SELECT ${runColumns} FROM reconciliations ORDER BY id DESC LIMIT ?`, [limit]);
  }

  items(reconciliationId: number): Promise<ReconcileItemRow[]> {
    return this.sql.all<ReconcileItemRow>(`SELECT ${itemColumns} FROM reconciliation_items WHERE reconciliation_id = ? ORDER BY id`, [reconciliationId]);
  }

  /** Differences no one has resolved yet, newest first. */
  openItems(limit: number): Promise<ReconcileItemRow[]> {
    return this.sql.all<ReconcileItemRow>(`SELECT ${itemColumns} FROM reconciliation_items WHERE resolved_at IS NULL ORDER BY id DESC LIMIT ?`, [limit]);
  }

  item(id: number): Promise<ReconcileItemRow | undefined> {
    return this.sql.get<ReconcileItemRow>(`SELECT ${itemColumns} FROM reconciliation_items WHERE id = ?`, [id]);
  }

  /** False when the item was already resolved. */
  async resolveItem(id: number, by: string, note: string, now: number): Promise<boolean> {
    const result = await this.sql.run(`UPDATE reconciliation_items SET resolved_at = ?, resolved_by = ?, resolution_note = ? WHERE id = ? AND resolved_at IS NULL`,
      [now, by, note, id]);
    return result.changes === 1;
  }
}
