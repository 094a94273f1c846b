// The checkout room's door: place orders, follow them to final through the movement engine,
// pay sellers, answer callbacks, and show an order as it is.
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { createPostings } from '../books';
import type { WorkerSettings } from '../config';
import { OrderStore, RefundStore, type Lease, type MovementOf, type OrderChanges, type OrderRow, type OrderStatus, type ProductForOrder } from '../db';
import type { Logger } from '../log';
import { isStuck, MovementEngine, Worker, type WorkerHealth, type WorkerSql } from '../movements';
import { ProviderRegistry, type IncomingCallback, type PaymentProvider, type ReasonKind } from '../providers';
import type { CheckoutContext } from './context';
import { orderHandlers } from './handlers';
import { createOrder, type PlaceOrderInput } from './place-order';
import { assertOrderMove, isFinalOrder } from './states';

export type { PlaceOrderInput } from './place-order';
export { collectMessages } from './handlers';
export { assertOrderMove, isFinalOrder, orderMachine, terminalOrderStatuses, type OrderStatus } from './states';

export interface OrderSnapshot {
  order: OrderRow;
  payment: MovementOf<'collection'>;
  payout: MovementOf<'payout'> | null;
  /** What Sokoni makes of the payment's failure reason, when the order failed. */
  paymentFailure: ReasonKind | null;
  /** The order failed, yet the provider took the money (it arrived after Sokoni gave up on it): it is owed back. */
  paidAfterFailure: boolean;
  productName: string;
  sellerName: string;
  /** Whether any refund was ever asked for the order: its refunds need reading only then. */
  hasRefunds: boolean;
  stuck: boolean;
  /** When the provider gives up on an unapproved payment: its window runs from when it accepted the request. */
  approvalDeadline: number;
}

export interface CheckoutOptions {
  /** The database, through the store's port; the handlers run the books' postings and the refunds' reads on a movement's `tx`. */
  sql: WorkerSql;
  /** The providers that hold movements; new orders go to the first. */
  providers: readonly PaymentProvider[];
  settings: WorkerSettings;
  log: Logger;
  callbackUrl: (referenceId: string) => string | null;
  clock?: () => number;
  /** How long POST /pay waits for the provider's answer before replying; the send goes on regardless. */
  answerWithinMs?: number;
  sendGraceMs?: number;
  /**
   * Whether the catalogue sells this product now (its seller is active, its currency one the
   * provider takes), judged on the product as placing the order read it, so the product is read
   * once; placing an order for anything else is refused. Everything is for sale without it.
   */
  forSale?: (product: ProductForOrder) => boolean;
  /**
   * Where order changes are shared with the other instances on the same database (PostgreSQL's
   * LISTEN/NOTIFY), so that a watcher here hears what another instance's worker changed. Without
   * it (SQLite, one process) changes stay in this process.
   */
  orderChanges?: OrderChanges;
}

export interface Checkout {
  placeOrder(input: PlaceOrderInput): Promise<{ snapshot: OrderSnapshot; created: boolean }>;
  snapshot(orderId: string): Promise<OrderSnapshot | undefined>;
  /** Only the order's status, for a waiter that takes the snapshot once it is final. */
  orderStatus(orderId: string): Promise<OrderStatus | undefined>;
  /** Resolves when the order changes, or after `timeoutMs`. */
  nextChange(orderId: string, timeoutMs: number): Promise<void>;
  /** A provider's callback arrived: read the status of the reference it names now. False when nothing open matched. */
  noteCallback(callback: IncomingCallback): Promise<{ reference: string | null; matched: boolean }>;
  balances: PaymentProvider['balances'];
  /** Sends a failed payout again with a new reference, or one waiting for funds now; false for any other. */
  retryPayout(orderId: string): Promise<boolean>;
  /** The latest order by this number for this basket within `withinMs` that did not fail: paying again is likely a mistake. */
  recentSameOrder(input: { msisdn: string; productId: string; qty: number }, withinMs: number): Promise<OrderRow | undefined>;
  /** Reads the order's open movement now (a shopper pressed "Check again"); false when none is open. */
  checkNow(orderId: string): Promise<boolean>;
  /** Subscribes to changes of one order; returns the unsubscribe function. */
  watch(orderId: string, listener: () => void): () => void;
  /** Subscribes to changes of every order, told which (the seller portal's live pages); returns the unsubscribe function. */
  watchAll(listener: (orderId: string) => void): () => void;
  /** The worker's state and lag, for /readyz: known state, never a wait. */
  health(): WorkerHealth;
  /** The lease a movement written outside the checkout (a refund) is held by until its first send. */
  sendLease(now: number): Lease;
  /** Sends a movement written in `sending` under `sendLease` (a refund, once approved), in the background. */
  sendMovement(movementId: number): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createCheckout(options: CheckoutOptions): Checkout {
  const [first, ...others] = options.providers;
  if (!first) throw new Error('createCheckout needs at least one provider');
  const providers = new ProviderRegistry([first, ...others], first.name);
  const events = new EventEmitter();
  // Watchers are kept per order and reached through one listener: with a listener per watcher
  // every change ran through all of them, and a long-polling client per open order made that
  // quadratic under load (issue #6's benchmark).
  const watchers = new Map<string, Set<() => void>>();
  events.on('order', (orderId: string) => {
    const listeners = watchers.get(orderId);
    if (listeners) for (const listener of [...listeners]) listener();
  });
  const { sql } = options;
  const orders = new OrderStore(sql);
  const clock = options.clock ?? Date.now;
  // Names this process on the leases it takes, so a row held by a dead process is recognisable.
  const holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const engine = new MovementEngine({
    sql,
    store: orders.movements,
    providers,
    // A seller's changed payout number holds their payouts (issue #15): orderForSend reads the hold with the order.
    handlers: orderHandlers(orders, createPostings(), new RefundStore(sql)),
    settings: options.settings,
    log: options.log,
    clock,
    callbackUrl: options.callbackUrl,
    sendGraceMs: options.sendGraceMs ?? 30_000,
    holder,
    changed: (orderId) => {
      events.emit('order', orderId);
      options.orderChanges?.publish(orderId);
    },
    wake: (at) => worker.wakeBy(at),
  });
  // Every instance's changes, this one's own included: a watcher told twice reads twice. After a
  // gap in listening, every watched order is read again.
  options.orderChanges?.subscribe(
    (orderId) => events.emit('order', orderId),
    () => {
      for (const orderId of [...watchers.keys()]) events.emit('order', orderId);
    },
  );
  const worker = new Worker({ sql, engine, store: orders.movements, settings: options.settings, log: options.log, clock, holder });
  const ctx: CheckoutContext = {
    orders, engine, providers, settings: options.settings, log: options.log, clock, forSale: options.forSale ?? (() => true),
  };
  const answerWithinMs = options.answerWithinMs ?? 3_000;

  const snapshot = async (orderId: string): Promise<OrderSnapshot | undefined> => {
    // Two reads, not six: the order with its names and a refunds flag, then both its movements.
    // In that order: a step moves a movement and its order in one transaction, so movements read
    // after the order are at least as new as it, and a final order never shows beside the payment
    // it was before. Run at once, on PostgreSQL (two statements on two pooled connections, each
    // seeing what was committed when it ran) the test of a failed payment saw the order failed and
    // its payment still pending.
    const named = await orders.orderWithNames(orderId);
    if (!named) return undefined;
    const movements = await orders.movements.paymentAndPayout(orderId);
    const { order } = named;
    const payment = movements.payment!;
    const failed = order.status === 'failed';
    return {
      order,
      payment,
      payout: movements.payout ?? null,
      paymentFailure: failed && payment.reason ? engine.reasonOf(payment, payment.reason).kind : null,
      paidAfterFailure: failed && payment.status === 'successful',
      productName: named.productName,
      sellerName: named.sellerName,
      hasRefunds: named.hasRefunds,
      stuck: !isFinalOrder(order.status) && isStuck(options.settings, order.createdAt, clock()),
      approvalDeadline: (payment.acceptedAt ?? order.createdAt) + options.settings.approvalWindowS * 1000,
    };
  };

  const watch = (orderId: string, listener: () => void) => {
    let listeners = watchers.get(orderId);
    if (!listeners) watchers.set(orderId, (listeners = new Set()));
    // Each watch is its own entry, so one listener watching twice is also removed twice.
    const entry = () => listener();
    listeners.add(entry);
    return () => {
      listeners.delete(entry);
      if (listeners.size === 0 && watchers.get(orderId) === listeners) watchers.delete(orderId);
    };
  };

  const reopenPayout = async (orderId: string): Promise<boolean> => {
    const payout = await orders.movements.of(orderId, 'payout');
    const order = await orders.order(orderId);
    // Waiting for funds, after a top-up: send now rather than at the next balance check.
    if (payout?.status === 'waiting_funds') return engine.sendNow(payout);
    if (!payout || !order || payout.status !== 'failed' || order.status !== 'payout_failed') return false;
    return engine.move(payout, { to: 'retry_wait', nextCheckAt: clock(), detail: 'reopened by an operator' }, (tx) => {
      assertOrderMove('payout_failed', 'paid');
      return orders.in(tx).moveOrder(orderId, 'payout_failed', 'paid', clock());
    });
  };

  return {
    async placeOrder(input) {
      const placed = await createOrder(ctx, input);
      const { order, created } = placed;
      // Written with this turn's other writes (group commit): a commit that fails is this
      // order's failure, reported before anything is sent or answered.
      await sql.committed();
      if (placed.created) {
        const sending = engine.send(placed.collection).catch((error: unknown) =>
          options.log.error('payment.send_crashed', { orderId: order.id, error }),
        );
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([sending, new Promise((resolve) => (timer = setTimeout(resolve, answerWithinMs)))]);
        clearTimeout(timer);
        // The answer shows only what is committed: the send's outcome may still wait for its turn's commit.
        await sql.committed();
      }
      return { snapshot: (await snapshot(order.id))!, created };
    },
    snapshot,
    orderStatus: (orderId) => orders.orderStatus(orderId),
    nextChange(orderId, timeoutMs) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        const unwatch = watch(orderId, done);
        function done() {
          clearTimeout(timer);
          unwatch();
          resolve();
        }
      });
    },
    async noteCallback(callback) {
      // A callback is only a hint: it names a reference, which the worker then reads.
      const reference = providers.default.parseCallback(callback);
      const matched = reference !== null && (await orders.movements.markDueNow(reference, clock()));
      if (matched) worker.poke();
      return { reference, matched };
    },
    balances: () => providers.default.balances(),
    recentSameOrder: ({ msisdn, productId, qty }, withinMs) => orders.recentSameOrder(msisdn, productId, qty, clock() - withinMs),
    async checkNow(orderId) {
      const { payment, payout } = await orders.movements.paymentAndPayout(orderId);
      const open = [payment, payout].filter((m) => m !== undefined && (m.status === 'sending' || m.status === 'pending'));
      let marked = false;
      for (const movement of open) if (await orders.movements.markDueNow(movement!.referenceId, clock())) marked = true;
      if (marked) worker.poke();
      return marked;
    },
    async retryPayout(orderId) {
      const reopened = await reopenPayout(orderId);
      if (reopened) worker.poke();
      return reopened;
    },
    watch,
    watchAll(listener) {
      events.on('order', listener);
      return () => events.off('order', listener);
    },
    health: () => worker.health(),
    sendLease: (now) => engine.sendLease(now),
    sendMovement(movementId) {
      const send = async () => {
        const movement = await orders.movements.byId(movementId);
        if (movement?.status === 'sending') await engine.send(movement);
      };
      send().catch((error: unknown) => options.log.error('movement.send_crashed', { movementId, error }));
    },
    start: () => worker.start(),
    stop: () => worker.stop(),
  };
}
