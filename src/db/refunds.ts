// Every SQL statement about refunds: the requests, what an order has given back so far, the
// claw-back from a payout that has not left, what a seller may be paid now (netting), and who
// has owed for too long. The refunds room decides; this file only reads and writes, each write
// guarded by the state it expects to find.
import { atomically, type Sql } from './sql';

export type RefundState = 'pending_approval' | 'approved' | 'declined' | 'expired' | 'refunded' | 'failed';

export interface RefundRow {
  id: string;
  orderId: string;
  /** The order's seller. */
  sellerId: string;
  amountMinor: number;
  currency: string;
  sellerPartMinor: number;
  platformPartMinor: number;
  /** Money that arrived against a failed order: it clears suspense instead of either share. */
  fromSuspense: boolean;
  /** The part of the seller's share taken off the order's payout before it left. */
  payoutReducedMinor: number;
  reason: string;
  state: RefundState;
  requestedBy: string;
  requestedById: string | null;
  approvedBy: string | null;
  declinedBy: string | null;
  declineReason: string | null;
  movementId: number | null;
  idempotencyKey: string | null;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
}

export type NewRefund = Omit<RefundRow, 'approvedBy' | 'declinedBy' | 'declineReason' | 'movementId' | 'payoutReducedMinor' | 'updatedAt'>;

/** What the refunds that count (given, or approved and on their way) add up to for one order. */
export interface RefundTotals {
  amountMinor: number;
  sellerMinor: number;
  platformMinor: number;
}

export interface OwingSeller {
  sellerId: string;
  sellerName: string;
  currency: string;
  /** What the seller owes back, positive. */
  owesMinor: number;
  /** Since when their payable has been below zero without a break. */
  owingSince: number;
}

const columns = `id, order_id AS orderId, seller_id AS sellerId, amount_minor AS amountMinor, currency, seller_part_minor AS sellerPartMinor,
  platform_part_minor AS platformPartMinor, from_suspense AS fromSuspense, payout_reduced_minor AS payoutReducedMinor, reason, state,
  requested_by AS requestedBy, requested_by_id AS requestedById, approved_by AS approvedBy, declined_by AS declinedBy,
  decline_reason AS declineReason, movement_id AS movementId, idempotency_key AS idempotencyKey, created_at AS createdAt,
  updated_at AS updatedAt, expires_at AS expiresAt`;

type Raw = Omit<RefundRow, 'fromSuspense'> & { fromSuspense: number };
const row = (raw: Raw | undefined): RefundRow | undefined => raw && { ...raw, fromSuspense: raw.fromSuspense === 1 };
const rows = (raws: Raw[]): RefundRow[] => raws.map((r) => row(r)!);

export class RefundStore {
  constructor(private readonly sql: Sql) {}

  /** The same store on a transaction's executor, for code that runs inside it. */
  in(tx: Sql): RefundStore {
    return new RefundStore(tx);
  }

  /** Runs `fn` in one transaction (part of the caller's when this store is on a transaction's executor). */
  transaction<T>(fn: (store: RefundStore, tx: Sql) => Promise<T>): Promise<T> {
    return atomically(this.sql, (tx) => fn(this.in(tx), tx));
  }

  async insert(refund: NewRefund): Promise<void> {
    await this.sql.run(`INSERT INTO refunds (id, order_id, seller_id, amount_minor, currency, seller_part_minor, platform_part_minor, from_suspense, reason, state,
      requested_by, requested_by_id, idempotency_key, created_at, updated_at, expires_at)
      VALUES (@id, @orderId, @sellerId, @amountMinor, @currency, @sellerPartMinor, @platformPartMinor, @fromSuspense, @reason, @state,
      @requestedBy, @requestedById, @idempotencyKey, @createdAt, @createdAt, @expiresAt)`, { ...refund, fromSuspense: refund.fromSuspense ? 1 : 0 });
  }

  async byId(id: string): Promise<RefundRow | undefined> {
    return row(await this.sql.get<Raw>(`SELECT ${columns} FROM refunds WHERE id = ?`, [id]));
  }

  async byKey(key: string): Promise<RefundRow | undefined> {
    return row(await this.sql.get<Raw>(`SELECT ${columns} FROM refunds WHERE idempotency_key = ?`, [key]));
  }

  async byMovement(movementId: number): Promise<RefundRow | undefined> {
    return row(await this.sql.get<Raw>(`SELECT ${columns} FROM refunds WHERE movement_id = ?`, [movementId]));
  }

  async ofOrder(orderId: string): Promise<RefundRow[]> {
    return rows(await this.sql.all<Raw>(`SELECT ${columns} FROM refunds WHERE order_id = ? ORDER BY created_at, id`, [orderId]));
  }

  /** Requests waiting for a second person, oldest (nearest expiry) first. */
  async awaitingApproval(limit: number): Promise<RefundRow[]> {
    return rows(await this.sql.all<Raw>(`SELECT ${columns} FROM refunds WHERE state = 'pending_approval' ORDER BY expires_at, id LIMIT ?`, [limit]));
  }

  async openOf(orderId: string): Promise<RefundRow | undefined> {
    return row(await this.sql.get<Raw>(`SELECT ${columns} FROM refunds WHERE order_id = ? AND state IN ('pending_approval', 'approved')`, [orderId]));
  }

  /** Refunds that count against what is left to give back: given, or approved and on their way. */
  async totals(orderId: string): Promise<RefundTotals> {
    return (await this.sql.get<RefundTotals>(`SELECT coalesce(sum(amount_minor), 0) AS amountMinor, coalesce(sum(seller_part_minor), 0) AS sellerMinor,
      coalesce(sum(platform_part_minor), 0) AS platformMinor FROM refunds WHERE order_id = ? AND state IN ('approved', 'refunded')`, [orderId]))!;
  }

  /**
   * Marks a pending request approved with its movement (written by the caller in the same
   * transaction); false when the request was no longer pending, and the caller must then undo
   * the movement by failing its transaction.
   */
  async approve(refund: RefundRow, approvedBy: string | null, movementId: number, now: number): Promise<boolean> {
    const result = await this.sql.run(`UPDATE refunds SET state = 'approved', approved_by = ?, movement_id = ?, updated_at = ? WHERE id = ? AND state = 'pending_approval'`,
      [approvedBy, movementId, now, refund.id]);
    return result.changes === 1;
  }

  async decline(refund: RefundRow, declinedBy: string, reason: string, now: number): Promise<boolean> {
    const result = await this.sql.run(`UPDATE refunds SET state = 'declined', declined_by = ?, decline_reason = ?, updated_at = ? WHERE id = ? AND state = 'pending_approval'`,
      [declinedBy, reason, now, refund.id]);
    return result.changes === 1;
  }

  /** Every pending request past its expiry becomes expired; returns them as they were. */
  async expireDue(now: number): Promise<RefundRow[]> {
    return rows(await this.sql.all<Raw>(`UPDATE refunds SET state = 'expired', updated_at = ? WHERE state = 'pending_approval' AND expires_at <= ? RETURNING ${columns}`,
      [now, now]));
  }

  /** The approved refund's movement reached its end: refunded, or failed (its money never left). */
  async finish(refundId: string, to: 'refunded' | 'failed', now: number): Promise<boolean> {
    return (await this.sql.run(`UPDATE refunds SET state = ?, updated_at = ? WHERE id = ? AND state = 'approved'`, [to, now, refundId])).changes === 1;
  }

  async recordPayoutReduced(refundId: string, amountMinor: number): Promise<void> {
    await this.sql.run(`UPDATE refunds SET payout_reduced_minor = payout_reduced_minor + ? WHERE id = ?`, [amountMinor, refundId]);
  }

  /**
   * Takes `amountMinor` off a payout that has not left (waiting for funds or a retry, or failed
   * and waiting for a person), leaving at least one minor unit; false when it has left or may be
   * in flight, or would come to nothing (cancel it instead).
   */
  async reducePayout(payoutId: number, amountMinor: number, now: number): Promise<boolean> {
    const result = await this.sql.run(`UPDATE movements SET amount_minor = amount_minor - ?, updated_at = ?
      WHERE id = ? AND kind = 'payout' AND status IN ('waiting_funds', 'retry_wait', 'failed') AND amount_minor > ?`, [amountMinor, now, payoutId, amountMinor]);
    return result.changes === 1;
  }

  /** Gives back to a payout that has not left what a failed refund had taken off it. */
  async restorePayout(payoutId: number, amountMinor: number, now: number): Promise<boolean> {
    const result = await this.sql.run(`UPDATE movements SET amount_minor = amount_minor + ?, updated_at = ?
      WHERE id = ? AND kind = 'payout' AND status IN ('waiting_funds', 'retry_wait', 'failed')`, [amountMinor, now, payoutId]);
    return result.changes === 1;
  }

  /**
   * What the seller may be paid now in this currency: what the books say Sokoni owes them, less
   * every payout not yet successful (they will carry their amounts) and the seller's parts of
   * approved refunds still on their way (the books take them only once they succeed, whether or
   * not their part was also taken off a payout that had not left). Negative:
   * the seller owes Sokoni (a claw-back not yet netted).
   */
  async sellerAvailable(sellerId: string, currency: string): Promise<number> {
    const r = await this.sql.get<{ available: number }>(`SELECT
      (SELECT -coalesce(sum(amount_minor), 0) FROM entries WHERE account = 'seller_payable:' || @sellerId AND currency = @currency)
      - (SELECT coalesce(sum(m.amount_minor), 0) FROM movements m JOIN orders o ON o.id = m.order_id
          WHERE o.seller_id = @sellerId AND m.kind = 'payout' AND m.currency = @currency AND m.status NOT IN ('successful', 'cancelled'))
      - (SELECT coalesce(sum(seller_part_minor), 0) FROM refunds WHERE seller_id = @sellerId AND currency = @currency AND state = 'approved') AS available`, { sellerId, currency });
    return r!.available;
  }

  /**
   * Whether the seller has ever had a refund in this currency (one still pending decides nothing
   * yet). Until then their payable holds exactly the shares of orders whose payouts are written,
   * and a payout is the order's share: the hot path need not sum their whole payable.
   */
  async sellerHasRefunds(sellerId: string, currency: string): Promise<boolean> {
    const r = await this.sql.get<{ yes: number }>(`SELECT CASE WHEN EXISTS (SELECT 1 FROM refunds WHERE seller_id = ? AND currency = ? AND state IN ('approved', 'refunded', 'failed')) THEN 1 ELSE 0 END AS yes`,
      [sellerId, currency]);
    return r!.yes === 1;
  }

  /** Cancels a payout that has not left (a full refund took the seller's whole share back). */
  async cancelPayout(payoutId: number, from: string, orderId: string, now: number): Promise<boolean> {
    const changed = (await this.sql.run(`UPDATE movements SET status = 'cancelled', next_check_at = NULL, leased_until = NULL, leased_by = NULL, updated_at = ?
      WHERE id = ? AND kind = 'payout' AND status = ? AND status IN ('waiting_funds', 'retry_wait', 'failed')`, [now, payoutId, from])).changes === 1;
    if (changed) {
      await this.sql.run(`INSERT INTO order_events (order_id, entity, from_state, to_state, detail, at) VALUES (?, 'payout', ?, 'cancelled', 'taken back by a full refund', ?)`,
        [orderId, from, now]);
    }
    return changed;
  }

  /** The money a collection moved against its failed order, as the books hold it in suspense; undefined when none. */
  suspenseOf(collectionId: number): Promise<{ amountMinor: number; currency: string } | undefined> {
    return this.sql.get<{ amountMinor: number; currency: string }>(`SELECT e.amount_minor AS amountMinor, j.currency FROM journals j JOIN entries e ON e.journal_id = j.id
      WHERE j.movement_id = ? AND j.kind = 'suspense' AND e.account = 'collection'`, [collectionId]);
  }

  /** Sellers whose payable has been below zero (they owe Sokoni) since before `before`, longest first. */
  owingSince(before: number): Promise<OwingSeller[]> {
    // Inner names are snake_case and the filter is on a CTE's column, not a SELECT alias, so
    // PostgreSQL reads it as SQLite does (it allows no alias in WHERE and folds unquoted case).
    return this.sql.all<OwingSeller>(`WITH running AS (
        SELECT seller_id, currency, at, -sum(amount_minor) OVER (PARTITION BY seller_id, currency ORDER BY at, id) AS owed
        FROM entries
        -- Only a refund can make a payable go below zero: the other sellers need no running sum.
        WHERE seller_id IN (SELECT r.seller_id FROM entries r JOIN journals j ON j.id = r.journal_id WHERE j.kind = 'refund' AND r.seller_id IS NOT NULL)
      ), last AS (
        SELECT seller_id, currency, max(CASE WHEN owed >= 0 THEN at END) AS clear_at,
          (SELECT -sum(amount_minor) FROM entries e WHERE e.seller_id = running.seller_id AND e.currency = running.currency) AS owed_now
        FROM running GROUP BY seller_id, currency
      ), owing AS (
        SELECT l.seller_id, l.currency, l.owed_now,
          (SELECT min(at) FROM running r WHERE r.seller_id = l.seller_id AND r.currency = l.currency AND r.at > coalesce(l.clear_at, -1)) AS since
        FROM last l WHERE l.owed_now < 0
      )
      SELECT o.seller_id AS sellerId, s.name AS sellerName, o.currency, -o.owed_now AS owesMinor, o.since AS owingSince
      FROM owing o JOIN sellers s ON s.id = o.seller_id
      WHERE o.since <= ? ORDER BY o.since`, [before]);
  }
}
