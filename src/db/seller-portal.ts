// The seller portal's reads (issue #15): one seller's sales, payouts, ledger lines and figures.
// Every statement takes the seller id and binds it, so a row of another seller is simply not
// found. Read-only; the sellers room (src/sellers) decides what the rows mean.
import type { Product } from './catalogue';
import { attemptTieBreak, joinInOrder, toNumber } from './dialect';
import type { Sql } from './sql';

/** A sale: an order of this seller whose payment arrived, with its payout as it is now. */
export interface SellerSaleRow {
  orderId: string;
  createdAt: number;
  status: string;
  productId: string;
  productName: string;
  qty: number;
  unitPriceMinor: number;
  amountMinor: number;
  platformAmountMinor: number;
  sellerAmountMinor: number;
  currency: string;
  /** The shopper's payment's MoMo transaction id. */
  paymentTransactionId: string | null;
  payoutId: number | null;
  payoutProvider: string | null;
  payoutStatus: string | null;
  payoutReason: string | null;
  payoutTransactionId: string | null;
  payoutUpdatedAt: number | null;
}

/** A payout to this seller, with the order it pays. */
export interface SellerPayoutRow {
  id: number;
  orderId: string;
  orderCreatedAt: number;
  productName: string;
  provider: string;
  amountMinor: number;
  currency: string;
  status: string;
  reason: string | null;
  referenceId: string;
  financialTransactionId: string | null;
  attempts: number;
  createdAt: number;
  updatedAt: number;
}

export interface SellerPayoutAttemptRow {
  referenceId: string;
  status: string;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A line of the seller's payable account: what a journal did to what they are owed. */
export interface SellerLedgerRow {
  entryId: number;
  journalId: number;
  kind: string;
  orderId: string | null;
  note: string | null;
  currency: string;
  /** Debit-positive, as the books keep it: a sale is negative (owed more), a payout positive. */
  amountMinor: number;
  at: number;
}

export interface SellerAmountRow {
  currency: string;
  amountMinor: number;
}

/** A product as its seller sees it: the catalogue's product without the seller's own fields. */
export type SellerProductRow = Pick<Product, 'id' | 'name' | 'description' | 'priceMinor' | 'currency' | 'active' | 'locked' | 'updatedAt'>;

export interface SellerPageFilter {
  /** [from, to) in ms. */
  from: number;
  to: number;
  /** The last row of the previous page: rows strictly after it, newest first. */
  after: { at: number; id: string } | null;
  limit: number;
}

// Paid, settled or waiting for a person over its payout: the shopper's money arrived.
const SOLD = `('paid', 'settled', 'payout_failed')`;

const saleColumns = `o.id AS orderId, o.created_at AS createdAt, o.status, o.product_id AS productId, p.name AS productName, o.qty,
  o.unit_price_minor AS unitPriceMinor, o.amount_minor AS amountMinor, o.platform_amount_minor AS platformAmountMinor,
  o.seller_amount_minor AS sellerAmountMinor, o.currency, c.financial_transaction_id AS paymentTransactionId,
  m.id AS payoutId, m.provider AS payoutProvider, m.status AS payoutStatus, m.reason AS payoutReason,
  m.financial_transaction_id AS payoutTransactionId, m.updated_at AS payoutUpdatedAt`;

// orders first, walking orders_seller_created (seller_id, created_at, id), so a page stops after
// `limit` rows; the movements are found by movements_one_per_order, whose WHERE is repeated.
const saleFrom = (db: Sql) => `orders o ${joinInOrder(db)} products p ON p.id = o.product_id
  LEFT JOIN movements c ON c.order_id = o.id AND c.kind = 'collection' AND c.kind IN ('collection', 'payout')
  LEFT JOIN movements m ON m.order_id = o.id AND m.kind = 'payout' AND m.kind IN ('collection', 'payout')`;

// Cast where it is tested for null: PostgreSQL cannot type a bare parameter there.
const keyset = `(CAST(@afterAt AS BIGINT) IS NULL OR (o.created_at, o.id) < (@afterAt, @afterId))`;

const pageParams = (sellerId: string, f: SellerPageFilter) => ({
  sellerId, from: f.from, to: f.to, afterAt: f.after?.at ?? null, afterId: f.after?.id ?? null, limit: f.limit,
});

export function sellerSales(db: Sql, sellerId: string, filter: SellerPageFilter): Promise<SellerSaleRow[]> {
  return db.all<SellerSaleRow>(`SELECT ${saleColumns} FROM ${saleFrom(db)}
    WHERE o.seller_id = @sellerId AND o.status IN ${SOLD} AND o.created_at >= @from AND o.created_at < @to AND ${keyset}
    ORDER BY o.created_at DESC, o.id DESC LIMIT @limit`, pageParams(sellerId, filter));
}

/** One sale of this seller; undefined for another seller's order, or one not paid. */
export function sellerSale(db: Sql, sellerId: string, orderId: string): Promise<SellerSaleRow | undefined> {
  return db.get<SellerSaleRow>(`SELECT ${saleColumns} FROM ${saleFrom(db)}
    WHERE o.id = @orderId AND o.seller_id = @sellerId AND o.status IN ${SOLD}`, { sellerId, orderId });
}

const payoutColumns = `m.id, m.order_id AS orderId, o.created_at AS orderCreatedAt, p.name AS productName, m.provider,
  m.amount_minor AS amountMinor, m.currency, m.status, m.reason, m.reference_id AS referenceId,
  m.financial_transaction_id AS financialTransactionId, m.attempts, m.created_at AS createdAt, m.updated_at AS updatedAt`;
const payoutFrom = (db: Sql) => `orders o ${joinInOrder(db)} movements m ON m.order_id = o.id AND m.kind = 'payout' AND m.kind IN ('collection', 'payout')
  ${joinInOrder(db)} products p ON p.id = o.product_id`;

/** Payouts of this seller, by their order's time, newest first (one payout per order). */
export function sellerPayouts(db: Sql, sellerId: string, filter: SellerPageFilter): Promise<SellerPayoutRow[]> {
  return db.all<SellerPayoutRow>(`SELECT ${payoutColumns} FROM ${payoutFrom(db)}
    WHERE o.seller_id = @sellerId AND o.created_at >= @from AND o.created_at < @to AND ${keyset}
    ORDER BY o.created_at DESC, o.id DESC LIMIT @limit`, pageParams(sellerId, filter));
}

export function sellerPayout(db: Sql, sellerId: string, payoutId: number): Promise<SellerPayoutRow | undefined> {
  return db.get<SellerPayoutRow>(`SELECT ${payoutColumns} FROM ${payoutFrom(db)} WHERE m.id = @payoutId AND o.seller_id = @sellerId`, { sellerId, payoutId });
}

/** Every attempt at a payout, oldest first; the caller has already found the payout as this seller's. */
export function payoutAttempts(db: Sql, payoutId: number): Promise<SellerPayoutAttemptRow[]> {
  return db.all<SellerPayoutAttemptRow>(`SELECT reference_id AS referenceId, status, reason, created_at AS createdAt, updated_at AS updatedAt
    FROM movement_attempts WHERE movement_id = ? ORDER BY created_at, ${attemptTieBreak(db, 'movement_attempts')}`, [payoutId]);
}

/** The oldest payout of this seller that is not final yet: the next one to land. */
export function nextOpenPayout(db: Sql, sellerId: string): Promise<SellerPayoutRow | undefined> {
  return db.get<SellerPayoutRow>(`SELECT ${payoutColumns} FROM ${payoutFrom(db)}
    WHERE o.seller_id = @sellerId AND o.status = 'paid' AND m.status NOT IN ('successful', 'failed')
    ORDER BY m.created_at, m.id LIMIT 1`, { sellerId });
}

/** Payouts that failed for good and wait for a person, newest first. */
export function failedPayouts(db: Sql, sellerId: string, limit: number): Promise<SellerPayoutRow[]> {
  return db.all<SellerPayoutRow>(`SELECT ${payoutColumns} FROM ${payoutFrom(db)}
    WHERE o.seller_id = @sellerId AND o.status = 'payout_failed' AND m.status = 'failed'
    ORDER BY m.updated_at DESC, m.id DESC LIMIT @limit`, { sellerId, limit });
}

const amounts = (rows: SellerAmountRow[]): SellerAmountRow[] => rows.map((r) => ({ currency: r.currency, amountMinor: toNumber(r.amountMinor) }));

/** Open payouts' sums per currency and state: `sending`, `pending`, `retry_wait`, `waiting_funds`. */
export async function openPayoutSums(db: Sql, sellerId: string): Promise<(SellerAmountRow & { status: string })[]> {
  const rows = await db.all<SellerAmountRow & { status: string }>(`SELECT m.status, m.currency, sum(m.amount_minor) AS amountMinor FROM ${payoutFrom(db)}
    WHERE o.seller_id = @sellerId AND o.status = 'paid' AND m.status NOT IN ('successful', 'failed')
    GROUP BY m.status, m.currency ORDER BY m.currency, m.status`, { sellerId });
  return rows.map((r) => ({ ...r, amountMinor: toNumber(r.amountMinor) }));
}

/** The seller's payable account: its balance per currency (debit-positive, so owed is negative). */
export async function payableBalance(db: Sql, sellerId: string): Promise<SellerAmountRow[]> {
  return amounts(await db.all<SellerAmountRow>(`SELECT currency, sum(amount_minor) AS amountMinor FROM entries
    WHERE account = 'seller_payable:' || @sellerId GROUP BY currency ORDER BY currency`, { sellerId }));
}

/** What payout journals took off the seller's payable in [from, to), per currency. */
export async function paidOutSums(db: Sql, sellerId: string, from: number, to: number): Promise<SellerAmountRow[]> {
  return amounts(await db.all<SellerAmountRow>(`SELECT e.currency, sum(e.amount_minor) AS amountMinor FROM entries e JOIN journals j ON j.id = e.journal_id
    WHERE e.account = 'seller_payable:' || @sellerId AND j.kind = 'payout' AND e.at >= @from AND e.at < @to
    GROUP BY e.currency ORDER BY e.currency`, { sellerId, from, to }));
}

/**
 * Lines of the seller's payable posted by journals other than a sale's collection and its
 * payout: refunds, claw-backs, suspense, operators' corrections, whatever kinds the books gain.
 * Newest first, keyset on the entry id.
 */
export function adjustmentLines(db: Sql, sellerId: string, beforeEntryId: number | null, limit: number): Promise<SellerLedgerRow[]> {
  return db.all<SellerLedgerRow>(`SELECT e.id AS entryId, e.journal_id AS journalId, j.kind, j.order_id AS orderId, j.note, e.currency,
    e.amount_minor AS amountMinor, e.at
    FROM entries e JOIN journals j ON j.id = e.journal_id
    WHERE e.account = 'seller_payable:' || @sellerId AND j.kind NOT IN ('collection', 'payout')
      AND (CAST(@before AS BIGINT) IS NULL OR e.id < @before)
    ORDER BY e.id DESC LIMIT @limit`, { sellerId, before: beforeEntryId, limit });
}

/** Every line one order put on the seller's payable (its sale, payout, refunds...), oldest first. */
export function orderLines(db: Sql, sellerId: string, orderId: string): Promise<SellerLedgerRow[]> {
  return db.all<SellerLedgerRow>(`SELECT e.id AS entryId, e.journal_id AS journalId, j.kind, j.order_id AS orderId, j.note, e.currency,
    e.amount_minor AS amountMinor, e.at
    FROM journals j JOIN entries e ON e.journal_id = j.id
    WHERE j.order_id = @orderId AND e.account = 'seller_payable:' || @sellerId
    ORDER BY e.id`, { sellerId, orderId });
}

/** The seller an order belongs to, to route a change to the right seller's event streams. */
export async function sellerOfOrder(db: Sql, orderId: string): Promise<string | undefined> {
  return (await db.get<{ sellerId: string }>(`SELECT seller_id AS sellerId FROM orders WHERE id = ?`, [orderId]))?.sellerId;
}

const productColumns = `id, name, description, price_minor AS priceMinor, currency, active, locked, updated_at AS updatedAt`;

type ProductRow = Omit<SellerProductRow, 'active' | 'locked'> & { active: number; locked: number };
const toProduct = (r: ProductRow): SellerProductRow => ({ ...r, active: r.active === 1, locked: r.locked === 1 });

export async function sellerProducts(db: Sql, sellerId: string): Promise<SellerProductRow[]> {
  return (await db.all<ProductRow>(`SELECT ${productColumns} FROM products WHERE seller_id = ? ORDER BY name, id`, [sellerId])).map(toProduct);
}

export async function sellerProduct(db: Sql, sellerId: string, productId: string): Promise<SellerProductRow | undefined> {
  const row = await db.get<ProductRow>(`SELECT ${productColumns} FROM products WHERE id = ? AND seller_id = ?`, [productId, sellerId]);
  return row && toProduct(row);
}
