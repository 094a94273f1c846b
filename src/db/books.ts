// Every SQL statement of the books (src/books): journals and entries (append-only, enforced by
// triggers in migrations/004_books.sql), the reports' sums, keyset pages for the exports, and
// reconciliation runs with their items. The books room decides; this file only reads and writes.
import type { Database } from './connection';
import { statement } from './statements';

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

export interface OrderExportRow {
  rowId: number;
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
  rowId: number;
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

const journalColumns = `id, kind, currency, order_id AS orderId, movement_id AS movementId, note, posted_by AS postedBy, at`;
const entryColumns = `id, journal_id AS journalId, account, seller_id AS sellerId, currency, amount_minor AS amountMinor, at`;
const itemColumns = `id, reconciliation_id AS reconciliationId, kind, movement_id AS movementId, reference_id AS referenceId,
  order_id AS orderId, account, currency, expected, actual, resolved_at AS resolvedAt, resolved_by AS resolvedBy,
  resolution_note AS resolutionNote`;
const runColumns = `id, from_at AS fromAt, to_at AS toAt, started_by AS startedBy, started_at AS startedAt,
  finished_at AS finishedAt, checked, matched, open, error`;

export class BooksStore {
  constructor(private readonly db: Database) {}

  private q(sql: string) {
    return statement(this.db, sql);
  }

  /** Runs `fn` in one SQLite transaction (a savepoint when one is already open). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  insertJournal(journal: NewJournal, entries: readonly NewEntry[]): number {
    return this.transaction(() => {
      const id = Number(this.q(`INSERT INTO journals (kind, currency, order_id, movement_id, note, posted_by, at)
        VALUES (@kind, @currency, @orderId, @movementId, @note, @postedBy, @at)`).run(journal).lastInsertRowid);
      const insert = this.q(`INSERT INTO entries (journal_id, account, seller_id, currency, amount_minor, at) VALUES (?, ?, ?, ?, ?, ?)`);
      for (const entry of entries) insert.run(id, entry.account, entry.sellerId, journal.currency, entry.amountMinor, journal.at);
      return id;
    });
  }

  journalOfMovement(movementId: number): JournalRow | undefined {
    return this.q(`SELECT ${journalColumns} FROM journals WHERE movement_id = ?`).get(movementId) as JournalRow | undefined;
  }

  sellerExists(sellerId: string): boolean {
    return this.q(`SELECT 1 FROM sellers WHERE id = ?`).get(sellerId) !== undefined;
  }

  /** Every account's balance per currency over entries before `before` (all when null). */
  accountSums(before: number | null): AccountSum[] {
    return this.q(`SELECT account, currency, sum(amount_minor) AS amountMinor FROM entries
      WHERE ? IS NULL OR at < ? GROUP BY account, currency ORDER BY account, currency`).all(before, before) as AccountSum[];
  }

  /** Sums of one account's entries in [from, to) per currency. */
  accountFlow(account: string, from: number, to: number): AccountSum[] {
    return this.q(`SELECT account, currency, sum(amount_minor) AS amountMinor FROM entries
      WHERE account = ? AND at >= ? AND at < ? GROUP BY account, currency`).all(account, from, to) as AccountSum[];
  }

  /** What each seller was paid (payout journals) in [from, to). */
  paidOut(from: number, to: number): SellerSum[] {
    return this.q(`SELECT e.seller_id AS sellerId, e.currency, sum(e.amount_minor) AS amountMinor
      FROM entries e JOIN journals j ON j.id = e.journal_id
      WHERE j.kind = 'payout' AND e.seller_id IS NOT NULL AND e.at >= ? AND e.at < ?
      GROUP BY e.seller_id, e.currency`).all(from, to) as SellerSum[];
  }

  /** Payouts written and not yet final: on their way to each seller. */
  payoutsInFlight(): SellerSum[] {
    return this.q(`SELECT o.seller_id AS sellerId, m.currency, sum(m.amount_minor) AS amountMinor
      FROM movements m JOIN orders o ON o.id = m.order_id
      WHERE m.kind = 'payout' AND m.status IN ('sending', 'pending', 'retry_wait')
      GROUP BY o.seller_id, m.currency`).all() as SellerSum[];
  }

  sellerNames(): Map<string, string> {
    const rows = this.q(`SELECT id, name FROM sellers`).all() as { id: string; name: string }[];
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** Journals in [from, to) after `afterId`, optionally touching `account`, oldest first. */
  journalPage(from: number, to: number, account: string | null, afterId: number, limit: number): JournalRow[] {
    return this.q(`SELECT ${journalColumns} FROM journals j
      WHERE j.id > ? AND j.at >= ? AND j.at < ?
        AND (? IS NULL OR EXISTS (SELECT 1 FROM entries e WHERE e.journal_id = j.id AND e.account = ?))
      ORDER BY j.id LIMIT ?`).all(afterId, from, to, account, account, limit) as JournalRow[];
  }

  entriesOfJournals(firstId: number, lastId: number): EntryRow[] {
    return this.q(`SELECT ${entryColumns} FROM entries WHERE journal_id BETWEEN ? AND ? ORDER BY id`).all(firstId, lastId) as EntryRow[];
  }

  /** An account's balance per currency from its entries before `before`. */
  balanceBefore(account: string, before: number): AccountSum[] {
    return this.q(`SELECT account, currency, sum(amount_minor) AS amountMinor FROM entries
      WHERE account = ? AND at < ? GROUP BY account, currency`).all(account, before) as AccountSum[];
  }

  /** One account's entries in [from, to) with their journals, in the order they were posted. */
  statementLines(account: string, from: number, to: number, currency: string): StatementLineRow[] {
    return this.q(`SELECT e.id AS entryId, e.journal_id AS journalId, j.kind, j.order_id AS orderId, j.note,
      e.amount_minor AS amountMinor, e.at
      FROM entries e JOIN journals j ON j.id = e.journal_id
      WHERE e.account = ? AND e.currency = ? AND e.at >= ? AND e.at < ? ORDER BY e.at, e.id`).all(account, currency, from, to) as StatementLineRow[];
  }

  /** Currencies an account has entries in, up to `before`. */
  currenciesOf(account: string, before: number): string[] {
    return this.q(`SELECT DISTINCT currency FROM entries WHERE account = ? AND at < ? ORDER BY currency`).pluck().all(account, before) as string[];
  }

  exportJournalPage(from: number, to: number, account: string | null, afterEntryId: number, limit: number): JournalExportRow[] {
    return this.q(`SELECT e.id AS entryId, e.journal_id AS journalId, j.kind, j.order_id AS orderId, j.note, j.posted_by AS postedBy,
      e.account, e.currency, e.amount_minor AS amountMinor, e.at
      FROM entries e JOIN journals j ON j.id = e.journal_id
      WHERE e.id > ? AND e.at >= ? AND e.at < ? AND (? IS NULL OR e.account = ?)
      ORDER BY e.id LIMIT ?`).all(afterEntryId, from, to, account, account, limit) as JournalExportRow[];
  }

  exportSettlementPage(from: number, to: number, afterJournalId: number, limit: number): SettlementExportRow[] {
    return this.q(`SELECT j.id AS journalId, j.at, o.seller_id AS sellerId, s.name AS sellerName, o.id AS orderId,
      m.reference_id AS referenceId, m.financial_transaction_id AS financialTransactionId, m.currency,
      m.amount_minor AS amountMinor, o.amount_minor AS orderAmountMinor, o.platform_amount_minor AS platformAmountMinor
      FROM journals j JOIN movements m ON m.id = j.movement_id JOIN orders o ON o.id = j.order_id JOIN sellers s ON s.id = o.seller_id
      WHERE j.kind = 'payout' AND j.id > ? AND j.at >= ? AND j.at < ? ORDER BY j.id LIMIT ?`).all(afterJournalId, from, to, limit) as SettlementExportRow[];
  }

  exportOrderPage(from: number, to: number, afterRowId: number, limit: number): OrderExportRow[] {
    return this.q(`SELECT o.rowid AS rowId, o.id, o.created_at AS createdAt, o.status, o.seller_id AS sellerId, o.product_id AS productId,
      o.qty, o.currency, o.amount_minor AS amountMinor, o.seller_amount_minor AS sellerAmountMinor,
      o.platform_amount_minor AS platformAmountMinor, c.status AS paymentStatus, c.financial_transaction_id AS paymentTransactionId,
      p.status AS payoutStatus
      FROM orders o
      LEFT JOIN movements c ON c.order_id = o.id AND c.kind = 'collection' AND c.kind IN ${oneMovementPerOrder}
      LEFT JOIN movements p ON p.order_id = o.id AND p.kind = 'payout' AND p.kind IN ${oneMovementPerOrder}
      WHERE o.rowid > ? AND o.created_at >= ? AND o.created_at < ? ORDER BY o.rowid LIMIT ?`).all(afterRowId, from, to, limit) as OrderExportRow[];
  }

  /** Attempts at movements created in [from, to), after `afterRowId`, in the order they were written. */
  attemptsPage(from: number, to: number, afterRowId: number, limit: number): AttemptForReconcile[] {
    return this.q(`SELECT a.rowid AS rowId, a.reference_id AS referenceId, a.status AS attemptStatus, m.id AS movementId, m.kind,
      m.provider, m.order_id AS orderId, m.amount_minor AS amountMinor, m.currency, m.reason
      FROM movement_attempts a JOIN movements m ON m.id = a.movement_id
      WHERE a.rowid > ? AND m.created_at >= ? AND m.created_at < ? ORDER BY a.rowid LIMIT ?`).all(afterRowId, from, to, limit) as AttemptForReconcile[];
  }

  attemptsCount(from: number, to: number): number {
    return this.q(`SELECT count(*) FROM movement_attempts a JOIN movements m ON m.id = a.movement_id
      WHERE m.created_at >= ? AND m.created_at < ?`).pluck().get(from, to) as number;
  }

  startReconciliation(from: number, to: number, startedBy: string, now: number): number {
    return Number(this.q(`INSERT INTO reconciliations (from_at, to_at, started_by, started_at) VALUES (?, ?, ?, ?)`)
      .run(from, to, startedBy, now).lastInsertRowid);
  }

  finishReconciliation(id: number, counts: { checked: number; matched: number; open: number }, error: string | null, now: number): void {
    this.q(`UPDATE reconciliations SET checked = ?, matched = ?, open = ?, error = ?, finished_at = ? WHERE id = ?`)
      .run(counts.checked, counts.matched, counts.open, error, now, id);
  }

  /** `resolution`: the item is written already resolved (the same difference was resolved in an earlier run). */
  insertItem(reconciliationId: number, item: NewReconcileItem, resolution: { at: number; by: string; note: string } | null = null): void {
    this.q(`INSERT INTO reconciliation_items (reconciliation_id, kind, movement_id, reference_id, order_id, account, currency, expected, actual,
      resolved_at, resolved_by, resolution_note)
      VALUES (@reconciliationId, @kind, @movementId, @referenceId, @orderId, @account, @currency, @expected, @actual, @at, @by, @note)`)
      .run({ reconciliationId, ...item, at: resolution?.at ?? null, by: resolution?.by ?? null, note: resolution?.note ?? null });
  }

  /** The first resolved item that recorded exactly this difference, if an operator has seen it before. */
  earlierResolution(item: NewReconcileItem): ReconcileItemRow | undefined {
    return this.q(`SELECT ${itemColumns} FROM reconciliation_items
      WHERE kind = ? AND reference_id IS ? AND account IS ? AND currency IS ? AND expected = ? AND actual = ? AND resolved_at IS NOT NULL
      ORDER BY id LIMIT 1`).get(item.kind, item.referenceId, item.account, item.currency, item.expected, item.actual) as ReconcileItemRow | undefined;
  }

  reconciliation(id: number): ReconciliationRow | undefined {
    return this.q(`SELECT ${runColumns} FROM reconciliations WHERE id = ?`).get(id) as ReconciliationRow | undefined;
  }

  latestReconciliations(limit: number): ReconciliationRow[] {
    return this.q(`SELECT ${runColumns} FROM reconciliations ORDER BY id DESC LIMIT ?`).all(limit) as ReconciliationRow[];
  }

  items(reconciliationId: number): ReconcileItemRow[] {
    return this.q(`SELECT ${itemColumns} FROM reconciliation_items WHERE reconciliation_id = ? ORDER BY id`).all(reconciliationId) as ReconcileItemRow[];
  }

  /** Differences no one has resolved yet, newest first. */
  openItems(limit: number): ReconcileItemRow[] {
    return this.q(`SELECT ${itemColumns} FROM reconciliation_items WHERE resolved_at IS NULL ORDER BY id DESC LIMIT ?`).all(limit) as ReconcileItemRow[];
  }

  item(id: number): ReconcileItemRow | undefined {
    return this.q(`SELECT ${itemColumns} FROM reconciliation_items WHERE id = ?`).get(id) as ReconcileItemRow | undefined;
  }

  /** False when the item was already resolved. */
  resolveItem(id: number, by: string, note: string, now: number): boolean {
    return this.q(`UPDATE reconciliation_items SET resolved_at = ?, resolved_by = ?, resolution_note = ? WHERE id = ? AND resolved_at IS NULL`)
      .run(now, by, note, id).changes === 1;
  }
}
