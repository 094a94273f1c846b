// Orders: every SQL statement about an order itself and what placing one needs to read. Its
// movements (the collection, the payout) are in movements.ts; both write in one transaction
// through the same connection.
import type { Database, Statement } from 'better-sqlite3';
import { MovementStore, type Lease } from './movements';

export type OrderStatus = 'pending' | 'paid' | 'settled' | 'failed' | 'payout_failed';

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
  status: OrderStatus;
  createdAt: number;
  updatedAt: number;
}

export type NewOrder = Omit<OrderRow, 'status' | 'createdAt' | 'updatedAt'>;

/** An order with what its page and JSON show beside it, read in one statement. */
export interface OrderWithNames {
  order: OrderRow;
  productName: string;
  sellerName: string;
  /** Whether any refund was ever asked for it: only then are its refunds read. */
  hasRefunds: boolean;
}

/** What sending an order's movement needs besides the movement: its message, its payee now, a hold on its payouts. */
export interface OrderForSend {
  order: OrderRow;
  /** '' when the product is gone. */
  productName: string;
  /** The seller's number now: a payout goes where the seller wants it at payout time. */
  sellerMsisdn: string | null;
  /** Until when the seller's payouts wait (a newly changed number not yet confirmed), or null. */
  payoutHoldUntil: number | null;
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

const orderColumns = `id, idempotency_key AS idempotencyKey, product_id AS productId, seller_id AS sellerId, qty,
  unit_price_minor AS unitPriceMinor, amount_minor AS amountMinor, currency, seller_share_bps AS sellerShareBps,
  seller_amount_minor AS sellerAmountMinor, platform_amount_minor AS platformAmountMinor, payer_msisdn AS payerMsisdn,
  status, created_at AS createdAt, updated_at AS updatedAt`;

/** `columns` with each column named by its table's alias, for a join where names repeat (id, currency, created_at). */
const qualified = (columns: string, alias: string) => columns.replace(/(^|,\s*)(\w+)/g, `$1${alias}.$2`);

/** `make`'s result, made on the first call. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | null = null;
  return () => (made ??= { value: make() }).value;
}

export class OrderStore {
  readonly movements: MovementStore;
  private readonly s: Record<
    | 'insertOrder' | 'insertEvent' | 'orderById' | 'orderStatus' | 'orderByKey' | 'moveOrder' | 'productForOrder'
    | 'recentSame',
    Statement
  >;

  /**
   * Prepared on first use: they join tables of later migrations (refunds, the payout hold), and
   * the migration tests write orders through this store on a database migrated only part way.
   */
  private readonly orderWithNamesStatement: () => Statement;
  private readonly orderForSendStatement: () => Statement;

  constructor(db: Database) {
    this.movements = new MovementStore(db);
    this.orderWithNamesStatement = once(() => db.prepare(`SELECT ${qualified(orderColumns, 'o')}, coalesce(p.name, '') AS productName,
        coalesce(s.name, '') AS sellerName, EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = o.id) AS hasRefunds
        FROM orders o LEFT JOIN products p ON p.id = o.product_id LEFT JOIN sellers s ON s.id = p.seller_id WHERE o.id = ?`));
    this.orderForSendStatement = once(() => db.prepare(`SELECT ${qualified(orderColumns, 'o')}, coalesce(p.name, '') AS productName, s.msisdn AS sellerMsisdn,
        s.payout_hold_until AS payoutHoldUntil
        FROM orders o LEFT JOIN products p ON p.id = o.product_id LEFT JOIN sellers s ON s.id = o.seller_id WHERE o.id = ?`));
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insertOrder: p(`INSERT INTO orders (id, idempotency_key, product_id, seller_id, qty, unit_price_minor, amount_minor, currency,
        seller_share_bps, seller_amount_minor, platform_amount_minor, payer_msisdn, status, created_at, updated_at)
        VALUES (@id, @idempotencyKey, @productId, @sellerId, @qty, @unitPriceMinor, @amountMinor, @currency, @sellerShareBps,
        @sellerAmountMinor, @platformAmountMinor, @payerMsisdn, 'pending', @now, @now)`),
      insertEvent: p(`INSERT INTO order_events (order_id, entity, from_state, to_state, detail, at) VALUES (?, 'order', ?, ?, ?, ?)`),
      orderById: p(`SELECT ${orderColumns} FROM orders WHERE id = ?`),
      orderStatus: p(`SELECT status FROM orders WHERE id = ?`),
      orderByKey: p(`SELECT ${orderColumns} FROM orders WHERE idempotency_key = ?`),
      moveOrder: p(`UPDATE orders SET status = ?, updated_at = ? WHERE id = ? AND status = ?`),
      productForOrder: p(`SELECT p.id, p.name, p.price_minor AS priceMinor, p.currency, p.active, s.id AS sellerId,
        s.name AS sellerName, s.msisdn AS sellerMsisdn, s.share_bps AS sellerShareBps
        FROM products p JOIN sellers s ON s.id = p.seller_id WHERE p.id = ?`),
      recentSame: p(`SELECT ${orderColumns} FROM orders WHERE payer_msisdn = ? AND created_at >= ? AND product_id = ? AND qty = ?
        AND status <> 'failed' ORDER BY created_at DESC LIMIT 1`),
    };
  }

  /** What placing an order needs to know about a product and its seller, in one read. */
  productForOrder(productId: string): ProductForOrder | undefined {
    const row = this.s.productForOrder.get(productId) as (Omit<ProductForOrder, 'active'> & { active: number }) | undefined;
    return row && { ...row, active: row.active === 1 };
  }

  /** Runs `fn` atomically, committed with the rest of this turn's writes (the movements' group commit). */
  transaction<T>(fn: () => T): T {
    return this.movements.transaction(fn);
  }

  /**
   * The order and its collection (with the reference it will be sent with) in one transaction,
   * before anything leaves. The collection is held by `lease` while its create call is out; a
   * process that dies first leaves it due when the lease runs out (or at once on restart).
   */
  createOrderWithPayment(order: NewOrder, referenceId: string, now: number, lease: Lease, provider: string): void {
    this.transaction(() => {
      this.s.insertOrder.run({ ...order, now });
      this.s.insertEvent.run(order.id, null, 'pending', null, now);
      this.movements.insert({
        orderId: order.id, kind: 'collection', provider, partyMsisdn: order.payerMsisdn,
        amountMinor: order.amountMinor, currency: order.currency, referenceId,
      }, lease, now);
    });
  }

  order(id: string): OrderRow | undefined {
    return this.s.orderById.get(id) as OrderRow | undefined;
  }

  /** The order, its product's and seller's names and whether it has refunds: one read for an order's snapshot. */
  orderWithNames(id: string): OrderWithNames | undefined {
    const row = this.orderWithNamesStatement().get(id) as (OrderRow & { productName: string; sellerName: string; hasRefunds: number }) | undefined;
    if (!row) return undefined;
    const { productName, sellerName, hasRefunds, ...order } = row;
    return { order, productName, sellerName, hasRefunds: hasRefunds === 1 };
  }

  /** The order with its product's name and its seller's number and payout hold, in one read (a send's message and its hold). */
  orderForSend(id: string): OrderForSend | undefined {
    const row = this.orderForSendStatement().get(id) as (OrderRow & Omit<OrderForSend, 'order'>) | undefined;
    if (!row) return undefined;
    const { productName, sellerMsisdn, payoutHoldUntil, ...order } = row;
    return { order, productName, sellerMsisdn, payoutHoldUntil };
  }

  /** Only the order's status: what a long-poll checks on each wake-up before reading the rest. */
  orderStatus(id: string): OrderStatus | undefined {
    return (this.s.orderStatus.get(id) as { status: OrderStatus } | undefined)?.status;
  }

  orderByIdempotencyKey(key: string): OrderRow | undefined {
    return this.s.orderByKey.get(key) as OrderRow | undefined;
  }

  /** The latest order (not failed) by this number for this basket since `since`, if any. */
  recentSameOrder(payerMsisdn: string, productId: string, qty: number, since: number): OrderRow | undefined {
    return this.s.recentSame.get(payerMsisdn, since, productId, qty) as OrderRow | undefined;
  }

  /** False when the order was no longer in `from` (someone else moved it first). */
  moveOrder(orderId: string, from: OrderStatus, to: OrderStatus, now: number, detail: string | null = null): boolean {
    return this.transaction(() => {
      if (this.s.moveOrder.run(to, now, orderId, from).changes !== 1) return false;
      this.s.insertEvent.run(orderId, from, to, detail, now);
      return true;
    });
  }
}
