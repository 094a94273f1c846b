// The console's reads over orders: the list (filters, search, keyset pages), one order with
// every movement, attempt and event, the day's figures and what needs attention. Read-only.
//
// The list's SQL is put together from fixed fragments, one per filter in use, so SQLite can
// seek the matching index ((status|seller_id|product_id,) created_at, id) and start a page
// right after the cursor's row: page 500 costs what page 1 costs. Values are always bound.
import type { Movement } from './movements';
import type { OrderStatus } from './orders';
import { attemptTieBreak, joinInOrder, toNumber } from './dialect';
import type { Sql } from './sql';

export interface OrderListFilter {
  status?: OrderStatus;
  sellerId?: string;
  productId?: string;
  /** created_at >= from, < to (ms). */
  from?: number;
  to?: number;
  /** An order id, a movement's reference (any attempt's) or a financial transaction id. */
  exact?: string;
  /** The payer's number ends with these digits. */
  phoneSuffix?: string;
  /** The last row of the previous page: rows strictly after it, newest first. */
  after?: { createdAt: number; id: string };
  limit: number;
}

export interface OrderListRow {
  id: string;
  createdAt: number;
  updatedAt: number;
  status: OrderStatus;
  qty: number;
  amountMinor: number;
  currency: string;
  sellerAmountMinor: number;
  platformAmountMinor: number;
  payerMsisdn: string;
  productId: string;
  productName: string;
  sellerId: string;
  sellerName: string;
  collectionStatus: string | null;
  payoutStatus: string | null;
}

/** A movement as the console's order page shows it: the engine's row, less its bookkeeping. */
export type MovementDetailRow = Pick<
  Movement,
  'id' | 'kind' | 'provider' | 'partyMsisdn' | 'amountMinor' | 'currency' | 'referenceId' | 'status' | 'reason'
  | 'financialTransactionId' | 'attempts' | 'nextCheckAt' | 'createdAt' | 'updatedAt'
>;

export interface AttemptRow {
  movementId: number;
  referenceId: string;
  status: string;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface EventRow {
  id: number;
  entity: string;
  fromState: string | null;
  toState: string;
  detail: string | null;
  at: number;
}

export interface OrderDetailRows {
  order: OrderListRow & { unitPriceMinor: number; sellerShareBps: number; idempotencyKey: string | null };
  movements: MovementDetailRow[];
  attempts: AttemptRow[];
  events: EventRow[];
}

const listColumns = `o.id, o.created_at AS createdAt, o.updated_at AS updatedAt, o.status, o.qty, o.amount_minor AS amountMinor, o.currency,
  o.seller_amount_minor AS sellerAmountMinor, o.platform_amount_minor AS platformAmountMinor, o.payer_msisdn AS payerMsisdn,
  o.product_id AS productId, p.name AS productName, o.seller_id AS sellerId, s.name AS sellerName,
  (SELECT status FROM movements WHERE order_id = o.id AND kind = 'collection') AS collectionStatus,
  (SELECT status FROM movements WHERE order_id = o.id AND kind = 'payout') AS payoutStatus`;

// CROSS JOIN keeps orders as the outer loop (SQLite never reorders a CROSS JOIN), so a page
// walks the (…, created_at, id) index and stops after `limit` rows, whatever the planner would
// make of the small products and sellers tables (joinInOrder: PostgreSQL's words for it).
const ordersFirst = (db: Sql) => `orders o ${joinInOrder(db)} products p ON p.id = o.product_id ${joinInOrder(db)} sellers s ON s.id = o.seller_id`;

export function listOrderRows(db: Sql, filter: OrderListFilter): Promise<OrderListRow[]> {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: filter.limit };
  if (filter.status !== undefined) {
    where.push('o.status = @status');
    params.status = filter.status;
  }
  if (filter.sellerId !== undefined) {
    where.push('o.seller_id = @sellerId');
    params.sellerId = filter.sellerId;
  }
  if (filter.productId !== undefined) {
    where.push('o.product_id = @productId');
    params.productId = filter.productId;
  }
  if (filter.from !== undefined) {
    where.push('o.created_at >= @from');
    params.from = filter.from;
  }
  if (filter.to !== undefined) {
    where.push('o.created_at < @to');
    params.to = filter.to;
  }
  const search: string[] = [];
  if (filter.exact !== undefined) {
    search.push(`o.id = @exact`, `o.id IN (SELECT order_id FROM movements WHERE reference_id = @exact OR financial_transaction_id = @exact)`,
      `o.id IN (SELECT m.order_id FROM movement_attempts a JOIN movements m ON m.id = a.movement_id WHERE a.reference_id = @exact)`);
    params.exact = filter.exact;
  }
  if (filter.phoneSuffix !== undefined) {
    search.push(`o.payer_msisdn LIKE '%' || @phoneSuffix`);
    params.phoneSuffix = filter.phoneSuffix;
  }
  if (search.length) where.push(`(${search.join(' OR ')})`);
  if (filter.after) {
    where.push('(o.created_at, o.id) < (@afterAt, @afterId)');
    params.afterAt = filter.after.createdAt;
    params.afterId = filter.after.id;
  }
  const sql = `SELECT ${listColumns} FROM ${ordersFirst(db)}
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY o.created_at DESC, o.id DESC LIMIT @limit`;
  return db.all<OrderListRow>(sql, params);
}

export async function orderDetailRows(db: Sql, orderId: string): Promise<OrderDetailRows | undefined> {
  const order = await db.get<OrderDetailRows['order']>(`SELECT ${listColumns}, o.unit_price_minor AS unitPriceMinor, o.seller_share_bps AS sellerShareBps,
    o.idempotency_key AS idempotencyKey FROM orders o JOIN products p ON p.id = o.product_id JOIN sellers s ON s.id = o.seller_id
    WHERE o.id = ?`, [orderId]);
  if (!order) return undefined;
  const movements = await db.all<MovementDetailRow>(`SELECT id, kind, provider, party_msisdn AS partyMsisdn, amount_minor AS amountMinor, currency,
    reference_id AS referenceId, status, reason, financial_transaction_id AS financialTransactionId, attempts,
    next_check_at AS nextCheckAt, created_at AS createdAt, updated_at AS updatedAt FROM movements WHERE order_id = ? ORDER BY id`, [orderId]);
  const attempts = await db.all<AttemptRow>(`SELECT a.movement_id AS movementId, a.reference_id AS referenceId, a.status, a.reason,
    a.created_at AS createdAt, a.updated_at AS updatedAt FROM movement_attempts a JOIN movements m ON m.id = a.movement_id
    WHERE m.order_id = ? ORDER BY a.created_at, ${attemptTieBreak(db, 'a')}`, [orderId]);
  const events = await db.all<EventRow>(`SELECT id, entity, from_state AS fromState, to_state AS toState, detail, at FROM order_events
    WHERE order_id = ? ORDER BY at, id`, [orderId]);
  return { order, movements, attempts, events };
}

export interface DayFigures {
  currency: string;
  orders: number;
  collectedMinor: number;
  paidToSellersMinor: number;
  platformRevenueMinor: number;
  failed: number;
}

/** Per currency, since `since`: orders placed, money collected, paid out and kept, payments failed. */
export async function dayFigures(db: Sql, since: number): Promise<DayFigures[]> {
  const placed = await db.all<{ currency: string; orders: number; failed: number }>(`SELECT currency, count(*) AS orders, sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed FROM orders
    WHERE created_at >= ? GROUP BY currency`, [since]);
  const money = await db.all<{ currency: string; collected: number; revenue: number; paid: number }>(`SELECT m.currency,
      sum(CASE WHEN m.kind = 'collection' THEN m.amount_minor ELSE 0 END) AS collected,
      sum(CASE WHEN m.kind = 'collection' THEN o.platform_amount_minor ELSE 0 END) AS revenue,
      sum(CASE WHEN m.kind = 'payout' THEN m.amount_minor ELSE 0 END) AS paid
    FROM movements m JOIN orders o ON o.id = m.order_id
    WHERE m.status = 'successful' AND m.updated_at >= ? GROUP BY m.currency`, [since]);
  const byCurrency = new Map<string, DayFigures>();
  const figures = (currency: string) => {
    let row = byCurrency.get(currency);
    if (!row) byCurrency.set(currency, (row = { currency, orders: 0, collectedMinor: 0, paidToSellersMinor: 0, platformRevenueMinor: 0, failed: 0 }));
    return row;
  };
  for (const p of placed) Object.assign(figures(p.currency), { orders: toNumber(p.orders), failed: toNumber(p.failed) });
  for (const m of money) {
    Object.assign(figures(m.currency), { collectedMinor: toNumber(m.collected), platformRevenueMinor: toNumber(m.revenue), paidToSellersMinor: toNumber(m.paid) });
  }
  return [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

export interface AttentionCounts {
  payoutFailed: number;
  stuck: number;
  payoutsWaiting: number;
}

export async function attentionCounts(db: Sql, stuckBefore: number): Promise<AttentionCounts> {
  const counts = (await db.get<AttentionCounts>(`SELECT
    (SELECT count(*) FROM orders WHERE status = 'payout_failed') AS payoutFailed,
    (SELECT count(*) FROM orders WHERE status IN ('pending', 'paid') AND created_at < ?) AS stuck,
    (SELECT count(*) FROM movements WHERE kind = 'payout' AND status IN ('sending', 'pending', 'retry_wait', 'waiting_funds')) AS payoutsWaiting`, [stuckBefore]))!;
  return { payoutFailed: toNumber(counts.payoutFailed), stuck: toNumber(counts.stuck), payoutsWaiting: toNumber(counts.payoutsWaiting) };
}

export interface AttentionRow extends OrderListRow {
  payoutReason: string | null;
}

/**
 * Payouts failed, payouts waiting for funds or another attempt, stuck orders, and money that
 * arrived against a failed order (SUCCESSFUL after the payment was given up on, or for another
 * amount): it is owed back to the payer.
 */
export async function attentionRows(db: Sql, stuckBefore: number, limit: number): Promise<{
  payoutFailed: AttentionRow[]; payoutWaitingFunds: AttentionRow[]; payoutRetrying: AttentionRow[]; stuck: AttentionRow[]; paidAfterFailure: AttentionRow[];
}> {
  const reason = `(SELECT reason FROM movements WHERE order_id = o.id AND kind = 'payout') AS payoutReason`;
  const base = `SELECT ${listColumns}, ${reason} FROM ${ordersFirst(db)}`;
  return {
    payoutFailed: await db.all<AttentionRow>(`${base} WHERE o.status = 'payout_failed' ORDER BY o.updated_at DESC LIMIT ?`, [limit]),
    payoutWaitingFunds: await db.all<AttentionRow>(`${base} WHERE o.id IN (SELECT order_id FROM movements WHERE kind = 'payout' AND status = 'waiting_funds')
      ORDER BY o.updated_at LIMIT ?`, [limit]),
    payoutRetrying: await db.all<AttentionRow>(`${base} WHERE o.id IN (SELECT order_id FROM movements WHERE kind = 'payout' AND status = 'retry_wait')
      ORDER BY o.updated_at DESC LIMIT ?`, [limit]),
    paidAfterFailure: await db.all<AttentionRow>(`${base} WHERE o.status = 'failed' AND o.id IN (SELECT order_id FROM movements WHERE kind = 'collection'
      AND (status = 'successful' OR (reason = 'AMOUNT_MISMATCH' AND financial_transaction_id IS NOT NULL)))
      ORDER BY o.updated_at DESC LIMIT ?`, [limit]),
    stuck: await db.all<AttentionRow>(`${base} WHERE o.status IN ('pending', 'paid') AND o.created_at < ? ORDER BY o.created_at LIMIT ?`, [stuckBefore, limit]),
  };
}

/** Sellers and products for the list's filters (ids and names only). */
export async function filterChoices(db: Sql): Promise<{ sellers: { id: string; name: string }[]; products: { id: string; name: string }[] }> {
  return {
    sellers: await db.all<{ id: string; name: string }>(`SELECT id, name FROM sellers ORDER BY name`),
    products: await db.all<{ id: string; name: string }>(`SELECT id, name FROM products ORDER BY name`),
  };
}

/** A trivial read: does the database answer at all? */
export async function databaseAnswers(db: Sql): Promise<boolean> {
  try {
    await db.get('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
