// Orders, payments and payouts: every SQL statement the checkout workflow runs. The workflow
// decides which state changes are legal; this file only writes them, each guarded by the
// state it expects to find (`WHERE status = ?`), so two racing writers cannot both win.
import type { Database, Statement } from 'better-sqlite3';

export interface OrderRow {
  id: string;
  idempotencyKey: string | null;
  productId: string;
  sellerId: string;
  qty: number;
  unitPriceMinor: number;
  amountMinor: number;
  currency: string;
  sellerShareBps: number;
  sellerAmountMinor: number;
  platformAmountMinor: number;
  payerMsisdn: string;
  status: string;
  createdAt: number;
  updatedAt: number;
}

/** What payments (collections) and payouts (transfers) both record about a MoMo transaction. */
interface TransactionRow {
  id: number;
  orderId: string;
  referenceId: string;
  amountMinor: number;
  currency: string;
  status: string;
  reason: string | null;
  financialTransactionId: string | null;
  attempts: number;
  checks: number;
  nextCheckAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface PaymentRow extends TransactionRow {
  provider: string;
}

export interface PayoutRow extends TransactionRow {
  sellerId: string;
  payeeMsisdn: string;
}

export type NewOrder = Omit<OrderRow, 'status' | 'createdAt' | 'updatedAt'>;

export interface StateChange {
  from: string;
  to: string;
  reason?: string | null;
  financialTransactionId?: string | null;
  nextCheckAt: number | null;
  detail?: string | null;
}

export interface ProductForOrder {
  id: string;
  name: string;
  priceMinor: number;
  currency: string;
  active: boolean;
  sellerId: string;
  sellerName: string;
  sellerMsisdn: string;
  sellerShareBps: number;
}

export type DueItem = { kind: 'payment'; row: PaymentRow } | { kind: 'payout'; row: PayoutRow };

const orderColumns = `id, idempotency_key AS idempotencyKey, product_id AS productId, seller_id AS sellerId, qty,
  unit_price_minor AS unitPriceMinor, amount_minor AS amountMinor, currency, seller_share_bps AS sellerShareBps,
  seller_amount_minor AS sellerAmountMinor, platform_amount_minor AS platformAmountMinor, payer_msisdn AS payerMsisdn,
  status, created_at AS createdAt, updated_at AS updatedAt`;
const paymentColumns = `id, order_id AS orderId, provider, reference_id AS referenceId, amount_minor AS amountMinor, currency,
  status, reason, financial_transaction_id AS financialTransactionId, attempts, checks, next_check_at AS nextCheckAt,
  created_at AS createdAt, updated_at AS updatedAt`;
const payoutColumns = `id, order_id AS orderId, seller_id AS sellerId, payee_msisdn AS payeeMsisdn, amount_minor AS amountMinor,
  currency, reference_id AS referenceId, status, reason, financial_transaction_id AS financialTransactionId, attempts,
  checks, next_check_at AS nextCheckAt, created_at AS createdAt, updated_at AS updatedAt`;

/**
 * `next_check_at` when a create or a read has finished: a row already due stays due, because a
 * callback asked for a read while the call was out (the lease and the send grace are always in
 * the future), and its news must not wait for the backoff. NULL clears it, for final states.
 * Bound with `dueStaysDue(at, now)`.
 */
const nextCheckSql = 'CASE WHEN ? IS NULL THEN NULL WHEN next_check_at <= ? THEN next_check_at ELSE ? END';
const dueStaysDue = (at: number | null, now: number) => [at, now, at] as const;

export class OrderStore {
  private readonly s: Record<string, Statement>;

  constructor(private readonly db: Database) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insertOrder: p(`INSERT INTO orders (id, idempotency_key, product_id, seller_id, qty, unit_price_minor, amount_minor, currency,
        seller_share_bps, seller_amount_minor, platform_amount_minor, payer_msisdn, status, created_at, updated_at)
        VALUES (@id, @idempotencyKey, @productId, @sellerId, @qty, @unitPriceMinor, @amountMinor, @currency, @sellerShareBps,
        @sellerAmountMinor, @platformAmountMinor, @payerMsisdn, 'pending', @now, @now)`),
      insertPayment: p(`INSERT INTO payments (order_id, reference_id, amount_minor, currency, status, next_check_at, created_at, updated_at)
        VALUES (?, ?, ?, ?, 'sending', ?, ?, ?)`),
      insertPayout: p(`INSERT INTO payouts (order_id, seller_id, payee_msisdn, amount_minor, currency, reference_id, status,
        next_check_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'sending', ?, ?, ?)`),
      insertAttempt: p(`INSERT INTO payout_attempts (reference_id, payout_id, status, created_at, updated_at) VALUES (?, ?, 'sending', ?, ?)`),
      insertEvent: p(`INSERT INTO order_events (order_id, entity, from_state, to_state, detail, at) VALUES (?, ?, ?, ?, ?, ?)`),
      orderById: p(`SELECT ${orderColumns} FROM orders WHERE id = ?`),
      orderByKey: p(`SELECT ${orderColumns} FROM orders WHERE idempotency_key = ?`),
      paymentByOrder: p(`SELECT ${paymentColumns} FROM payments WHERE order_id = ?`),
      paymentByRef: p(`SELECT ${paymentColumns} FROM payments WHERE reference_id = ?`),
      payoutByOrder: p(`SELECT ${payoutColumns} FROM payouts WHERE order_id = ?`),
      payoutByAttemptRef: p(`SELECT ${payoutColumns} FROM payouts
        WHERE id = (SELECT payout_id FROM payout_attempts WHERE reference_id = ?)`),
      moveOrder: p(`UPDATE orders SET status = ?, updated_at = ? WHERE id = ? AND status = ?`),
      movePayment: p(`UPDATE payments SET status = ?, reason = coalesce(?, reason),
        financial_transaction_id = coalesce(?, financial_transaction_id), next_check_at = ${nextCheckSql}, updated_at = ?
        WHERE id = ? AND status = ?`),
      movePayout: p(`UPDATE payouts SET status = ?, reason = coalesce(?, reason),
        financial_transaction_id = coalesce(?, financial_transaction_id), next_check_at = ${nextCheckSql}, updated_at = ?
        WHERE id = ? AND status = ?`),
      moveAttempt: p(`UPDATE payout_attempts SET status = ?, reason = coalesce(?, reason), updated_at = ? WHERE reference_id = ?`),
      restartPayout: p(`UPDATE payouts SET status = 'sending', reference_id = ?, attempts = attempts + 1, checks = 0, reason = NULL,
        next_check_at = ?, updated_at = ? WHERE id = ? AND status = 'retry_wait'`),
      leasePayment: p(`UPDATE payments SET next_check_at = ?, updated_at = ? WHERE id = ? AND status = ?`),
      leasePayout: p(`UPDATE payouts SET next_check_at = ?, updated_at = ? WHERE id = ? AND status = ?`),
      schedulePayment: p(`UPDATE payments SET next_check_at = ${nextCheckSql}, checks = checks + 1, updated_at = ? WHERE id = ? AND status = ?`),
      schedulePayout: p(`UPDATE payouts SET next_check_at = ${nextCheckSql}, checks = checks + 1, updated_at = ? WHERE id = ? AND status = ?`),
      countPaymentSend: p(`UPDATE payments SET attempts = attempts + 1 WHERE id = ?`),
      resumeSendingPayments: p(`UPDATE payments SET next_check_at = ? WHERE status = 'sending'`),
      resumeSendingPayouts: p(`UPDATE payouts SET next_check_at = ? WHERE status IN ('sending', 'retry_wait')`),
      releasePaymentLeases: p(`UPDATE payments SET next_check_at = ? WHERE status = 'pending' AND next_check_at = updated_at + ?`),
      releasePayoutLeases: p(`UPDATE payouts SET next_check_at = ? WHERE status = 'pending' AND next_check_at = updated_at + ?`),
      duePayments: p(`SELECT ${paymentColumns} FROM payments WHERE next_check_at <= ? ORDER BY next_check_at LIMIT ?`),
      duePayouts: p(`SELECT ${payoutColumns} FROM payouts WHERE next_check_at <= ? ORDER BY next_check_at LIMIT ?`),
      nextDue: p(`SELECT min(t) AS t FROM (SELECT min(next_check_at) AS t FROM payments UNION ALL SELECT min(next_check_at) FROM payouts)`),
      // 0, due since ever: a read that MoMo's callback asked for goes before every read that is
      // merely on schedule (the worker picks by next_check_at), so a backlog of long-pending
      // payments queued at MoMo's rate limit cannot hold back the orders that just moved.
      paymentDueNow: p(`UPDATE payments SET next_check_at = 0 WHERE reference_id = ? AND status IN ('sending', 'pending')`),
      payoutDueNow: p(`UPDATE payouts SET next_check_at = 0
        WHERE status IN ('sending', 'pending') AND id = (SELECT payout_id FROM payout_attempts WHERE reference_id = ?)`),
      productForOrder: p(`SELECT p.id, p.name, p.price_minor AS priceMinor, p.currency, p.active, s.id AS sellerId,
        s.name AS sellerName, s.msisdn AS sellerMsisdn, s.share_bps AS sellerShareBps
        FROM products p JOIN sellers s ON s.id = p.seller_id WHERE p.id = ?`),
      sellerMsisdn: p(`SELECT msisdn FROM sellers WHERE id = ?`),
      orderEvents: p(`SELECT entity, from_state AS "from", to_state AS "to", detail, at FROM order_events WHERE order_id = ? ORDER BY id`),
    };
  }

  /** What placing an order needs to know about a product and its seller, in one read. */
  productForOrder(productId: string): ProductForOrder | undefined {
    const row = this.s.productForOrder!.get(productId) as (Omit<ProductForOrder, 'active'> & { active: number }) | undefined;
    return row && { ...row, active: row.active === 1 };
  }

  /** The seller's number now: a payout goes to where the seller wants it at payout time. */
  sellerMsisdn(sellerId: string): string | undefined {
    return (this.s.sellerMsisdn!.get(sellerId) as { msisdn: string } | undefined)?.msisdn;
  }

  /** Runs `fn` in one SQLite transaction: all of its writes land, or none. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  createOrderWithPayment(order: NewOrder, paymentReferenceId: string, now: number, firstCheckAt: number): void {
    this.transaction(() => {
      this.s.insertOrder!.run({ ...order, now });
      this.s.insertPayment!.run(order.id, paymentReferenceId, order.amountMinor, order.currency, firstCheckAt, now, now);
      this.s.insertEvent!.run(order.id, 'order', null, 'pending', null, now);
      this.s.insertEvent!.run(order.id, 'payment', null, 'sending', paymentReferenceId, now);
    });
  }

  order(id: string): OrderRow | undefined {
    return this.s.orderById!.get(id) as OrderRow | undefined;
  }

  orderByIdempotencyKey(key: string): OrderRow | undefined {
    return this.s.orderByKey!.get(key) as OrderRow | undefined;
  }

  paymentOf(orderId: string): PaymentRow | undefined {
    return this.s.paymentByOrder!.get(orderId) as PaymentRow | undefined;
  }

  payoutOf(orderId: string): PayoutRow | undefined {
    return this.s.payoutByOrder!.get(orderId) as PayoutRow | undefined;
  }

  paymentByReference(referenceId: string): PaymentRow | undefined {
    return this.s.paymentByRef!.get(referenceId) as PaymentRow | undefined;
  }

  /** Finds a payout by the reference of any of its attempts, old ones included. */
  payoutByReference(referenceId: string): PayoutRow | undefined {
    return this.s.payoutByAttemptRef!.get(referenceId) as PayoutRow | undefined;
  }

  events(orderId: string): { entity: string; from: string | null; to: string; detail: string | null; at: number }[] {
    return this.s.orderEvents!.all(orderId) as never;
  }

  /** False when the order was no longer in `from` (someone else moved it first). */
  moveOrder(orderId: string, from: string, to: string, now: number, detail: string | null = null): boolean {
    if (this.s.moveOrder!.run(to, now, orderId, from).changes !== 1) return false;
    this.s.insertEvent!.run(orderId, 'order', from, to, detail, now);
    return true;
  }

  movePayment(row: PaymentRow, change: StateChange, now: number): boolean {
    const result = this.s.movePayment!.run(change.to, change.reason ?? null, change.financialTransactionId ?? null,
      ...dueStaysDue(change.nextCheckAt, now), now, row.id, change.from);
    if (result.changes !== 1) return false;
    this.s.insertEvent!.run(row.orderId, 'payment', change.from, change.to, change.detail ?? change.reason ?? null, now);
    return true;
  }

  movePayout(row: PayoutRow, change: StateChange, now: number): boolean {
    const result = this.s.movePayout!.run(change.to, change.reason ?? null, change.financialTransactionId ?? null,
      ...dueStaysDue(change.nextCheckAt, now), now, row.id, change.from);
    if (result.changes !== 1) return false;
    // The payout waits for a retry only once its current attempt is known to have failed.
    const attemptStatus = change.to === 'retry_wait' ? 'failed' : change.to;
    this.s.moveAttempt!.run(attemptStatus, change.reason ?? null, now, row.referenceId);
    this.s.insertEvent!.run(row.orderId, 'payout', change.from, change.to, change.detail ?? change.reason ?? null, now);
    return true;
  }

  insertPayout(order: OrderRow, payeeMsisdn: string, referenceId: string, now: number, firstCheckAt: number): void {
    const info = this.s.insertPayout!.run(order.id, order.sellerId, payeeMsisdn, order.sellerAmountMinor, order.currency,
      referenceId, firstCheckAt, now, now);
    this.s.insertAttempt!.run(referenceId, info.lastInsertRowid, now, now);
    this.s.insertEvent!.run(order.id, 'payout', null, 'sending', referenceId, now);
  }

  /** A new attempt with a new reference; the partial unique index refuses it unless every earlier attempt failed. */
  restartPayout(row: PayoutRow, referenceId: string, now: number, firstCheckAt: number): boolean {
    if (this.s.restartPayout!.run(referenceId, firstCheckAt, now, row.id).changes !== 1) return false;
    this.s.insertAttempt!.run(referenceId, row.id, now, now);
    this.s.insertEvent!.run(row.orderId, 'payout', 'retry_wait', 'sending', referenceId, now);
    return true;
  }

  /**
   * Sets the next status read; `countCheck` when this follows a read (it drives the backoff).
   * Without it this is the worker's lease, written as given; after a read, a row that a callback
   * made due meanwhile stays due.
   */
  schedulePayment(row: PaymentRow, nextCheckAt: number, countCheck: boolean, now: number): void {
    if (countCheck) this.s.schedulePayment!.run(...dueStaysDue(nextCheckAt, now), now, row.id, row.status);
    else this.s.leasePayment!.run(nextCheckAt, now, row.id, row.status);
  }

  schedulePayout(row: PayoutRow, nextCheckAt: number, countCheck: boolean, now: number): void {
    if (countCheck) this.s.schedulePayout!.run(...dueStaysDue(nextCheckAt, now), now, row.id, row.status);
    else this.s.leasePayout!.run(nextCheckAt, now, row.id, row.status);
  }

  countPaymentSend(row: PaymentRow): void {
    this.s.countPaymentSend!.run(row.id);
  }

  /**
   * After a restart nothing is in flight: every unconfirmed send is read at once, and so is every
   * row whose read died with the process. Those still hold the worker's lease, which is the one
   * schedule written as exactly `leaseMs` after its own updated_at; without this they would wait
   * out the lease (a minute) after every crash.
   */
  resumeUnconfirmed(now: number, leaseMs: number): void {
    this.s.resumeSendingPayments!.run(now);
    this.s.resumeSendingPayouts!.run(now);
    this.s.releasePaymentLeases!.run(now, leaseMs);
    this.s.releasePayoutLeases!.run(now, leaseMs);
  }

  /** Up to `limit` due payments and payouts together, soonest due first. */
  due(now: number, limit: number): DueItem[] {
    const payments = (this.s.duePayments!.all(now, limit) as PaymentRow[]).map((row) => ({ kind: 'payment' as const, row }));
    const payouts = (this.s.duePayouts!.all(now, limit) as PayoutRow[]).map((row) => ({ kind: 'payout' as const, row }));
    return [...payments, ...payouts].sort((a, b) => a.row.nextCheckAt! - b.row.nextCheckAt!).slice(0, limit);
  }

  nextDueAt(): number | null {
    return (this.s.nextDue!.get() as { t: number | null }).t;
  }

  /** A callback for this reference: check it before anything else. Returns whether anything still open matched. */
  markDueNow(referenceId: string): boolean {
    const payment = this.s.paymentDueNow!.run(referenceId).changes;
    if (payment > 0) return true;
    return this.s.payoutDueNow!.run(referenceId).changes > 0;
  }
}

