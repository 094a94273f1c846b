// What each kind of movement means to an order: the handler table the engine calls when a
// movement turns SUCCESSFUL or fails for good. Each runs inside the transaction that moves the
// movement, so an order and its money never disagree.
import { randomUUID } from 'node:crypto';
import type { Postings } from '../books';
import type { WorkerSettings } from '../config';
import type { Lease, Movement, OrderStatus, OrderStore } from '../db';
import type { HandlerTable } from '../movements';
import { assertOrderMove } from './states';

/** After this many failed attempts a payout stops and waits for a person. */
export const maxPayoutAttempts = 5;

export function collectMessages(productName: string, qty: number): { payerMessage: string; payeeNote: string } {
  return { payerMessage: `Sokoni: ${qty} x ${productName}`, payeeNote: `${qty} x ${productName}` };
}

/**
 * The first read of a transfer. No person approves a transfer, so it usually finishes within a
 * fraction of a second: reading it at a quarter of CHECK_FIRST_MS saves most of a second per
 * order when polling (issue #6), and costs one extra read only for slow transfers.
 */
export function firstPayoutCheckMs(settings: WorkerSettings): number {
  return Math.max(10, Math.round(settings.firstCheckMs / 4));
}

/** `books` posts each money event's journal in the same transaction (issue #12). */
export function orderHandlers(orders: OrderStore, books: Postings): HandlerTable {
  const moveOrder = (orderId: string, from: OrderStatus, to: OrderStatus, now: number, detail: string | null = null) => {
    assertOrderMove(from, to);
    orders.moveOrder(orderId, from, to, now, detail);
  };

  /** The payment is SUCCESSFUL for the right amount: the order is paid, and the seller's payout is written. */
  const paid = (collection: Movement, now: number, lease: Lease): Movement[] => {
    const { orderId, provider } = collection;
    const order = orders.order(orderId)!;
    moveOrder(orderId, 'pending', 'paid', now);
    books.collected(order, collection, now);
    // A zero share (0 bps, or a tiny amount) leaves nothing to send: the order is settled.
    if (order.sellerAmountMinor === 0) {
      moveOrder(orderId, 'paid', 'settled', now, 'nothing to pay out');
      return [];
    }
    orders.movements.insert({
      orderId, kind: 'payout', provider, partyMsisdn: orders.sellerMsisdn(order.sellerId)!,
      amountMinor: order.sellerAmountMinor, currency: order.currency, referenceId: randomUUID(),
    }, lease, now);
    return [orders.movements.of(orderId, 'payout')!];
  };

  return {
    collection: {
      label: 'payment',
      maxAttempts: 1,
      firstCheckMs: (settings) => settings.firstCheckMs,
      messages(movement) {
        const order = orders.order(movement.orderId)!;
        return collectMessages(orders.productForOrder(order.productId)?.name ?? 'order', order.qty);
      },
      succeeded: (movement, now, lease) => paid(movement, now, lease),
      failed(movement, reason, now, moved) {
        moveOrder(movement.orderId, 'pending', 'failed', now, reason);
        if (moved) books.movedAgainstFailure(movement, moved, now);
      },
    },
    payout: {
      label: 'payout',
      maxAttempts: maxPayoutAttempts,
      firstCheckMs: firstPayoutCheckMs,
      messages(movement) {
        const short = movement.orderId.slice(0, 8);
        return { payerMessage: `Sokoni payout for order ${short}`, payeeNote: `Your share of Sokoni order ${short}` };
      },
      succeeded(movement, now) {
        moveOrder(movement.orderId, 'paid', 'settled', now);
        books.paidOut(orders.order(movement.orderId)!, movement, now);
        return [];
      },
      failed(movement, reason, now, moved) {
        moveOrder(movement.orderId, 'paid', 'payout_failed', now, reason);
        if (moved) books.movedAgainstFailure(movement, moved, now);
      },
    },
  };
}
