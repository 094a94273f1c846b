// The checkout room's door: place orders, follow them to final, pay sellers, answer callbacks.
import { EventEmitter } from 'node:events';
import type { Database } from 'better-sqlite3';
import type { WorkerSettings } from '../config';
import { OrderStore, type OrderRow, type PaymentRow, type PayoutRow } from '../db';
import type { Logger } from '../log';
import type { CheckoutContext } from './context';
import { reopenPayout, sendCollect } from './follow';
import { createOrder, type PlaceOrderInput } from './place-order';
import type { PaymentProvider } from './provider';
import { isStuck } from './schedule';
import { isFinalOrder, type OrderStatus } from './states';
import { Worker } from './worker';

export { CheckoutError, type PlaceOrderInput } from './place-order';
export { momoProvider } from './momo-provider';
export { ProviderError, type PaymentProvider, type ProviderTransaction } from './provider';
export { isFinalOrder, type OrderStatus } from './states';

export interface OrderSnapshot {
  order: OrderRow & { status: OrderStatus };
  payment: PaymentRow;
  payout: PayoutRow | null;
  productName: string;
  sellerName: string;
  stuck: boolean;
  /** When MoMo gives up on an unapproved payment. */
  approvalDeadline: number;
}

export interface CheckoutOptions {
  db: Database;
  provider: PaymentProvider;
  settings: WorkerSettings;
  log: Logger;
  callbackUrl: (referenceId: string) => string | null;
  clock?: () => number;
  /** How long POST /pay waits for MoMo's answer before replying; the send goes on regardless. */
  answerWithinMs?: number;
  sendGraceMs?: number;
}

export interface Checkout {
  placeOrder(input: PlaceOrderInput): Promise<{ snapshot: OrderSnapshot; created: boolean }>;
  snapshot(orderId: string): OrderSnapshot | undefined;
  /** Resolves when the order changes, or after `timeoutMs`. */
  nextChange(orderId: string, timeoutMs: number): Promise<void>;
  /** A callback named this reference: read its status now. False when nothing open matched. */
  noteCallback(referenceId: string): boolean;
  balances: PaymentProvider['balances'];
  /** Sends a failed payout again with a new reference; false unless the order is payout_failed. */
  retryPayout(orderId: string): boolean;
  /** Subscribes to changes of one order; returns the unsubscribe function. */
  watch(orderId: string, listener: () => void): () => void;
  start(): void;
  stop(): Promise<void>;
}

export function createCheckout(options: CheckoutOptions): Checkout {
  const events = new EventEmitter();
  // Watchers are kept per order and reached through one listener: with a listener per watcher
  // every change ran through all of them, and a long-polling client per open order made that
  // quadratic under load (issue #6's benchmark).
  const watchers = new Map<string, Set<() => void>>();
  events.on('order', (orderId: string) => {
    const listeners = watchers.get(orderId);
    if (listeners) for (const listener of [...listeners]) listener();
  });
  const ctx: CheckoutContext = {
    store: new OrderStore(options.db),
    provider: options.provider,
    settings: options.settings,
    log: options.log,
    events,
    clock: options.clock ?? Date.now,
    callbackUrl: options.callbackUrl,
    sendGraceMs: options.sendGraceMs ?? 30_000,
    wake: () => {},
  };
  const worker = new Worker(ctx);
  ctx.wake = (at) => worker.wakeBy(at);
  const answerWithinMs = options.answerWithinMs ?? 3_000;

  const snapshot = (orderId: string): OrderSnapshot | undefined => {
    const order = ctx.store.order(orderId);
    if (!order) return undefined;
    const product = ctx.store.productForOrder(order.productId);
    const status = order.status as OrderStatus;
    return {
      order: { ...order, status },
      payment: ctx.store.paymentOf(orderId)!,
      payout: ctx.store.payoutOf(orderId) ?? null,
      productName: product?.name ?? '',
      sellerName: product?.sellerName ?? '',
      stuck: !isFinalOrder(status) && isStuck(ctx.settings, order.createdAt, ctx.clock()),
      approvalDeadline: order.createdAt + ctx.settings.approvalWindowS * 1000,
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

  return {
    async placeOrder(input) {
      const { order, created } = createOrder(ctx, input);
      if (created) {
        const sending = sendCollect(ctx, ctx.store.paymentOf(order.id)!, order).catch((error) =>
          ctx.log.error('payment.send_crashed', { orderId: order.id, error }),
        );
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([sending, new Promise((resolve) => (timer = setTimeout(resolve, answerWithinMs)))]);
        clearTimeout(timer);
      }
      return { snapshot: snapshot(order.id)!, created };
    },
    snapshot,
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
    noteCallback(referenceId) {
      const matched = ctx.store.markDueNow(referenceId);
      if (matched) worker.poke();
      return matched;
    },
    balances: () => ctx.provider.balances(),
    retryPayout(orderId) {
      const reopened = reopenPayout(ctx, orderId);
      if (reopened) worker.poke();
      return reopened;
    },
    watch,
    start: () => worker.start(),
    stop: () => worker.stop(),
  };
}
