// What each kind of movement means to an order: the handler table the engine calls when a
// movement turns SUCCESSFUL or fails for good. Each runs inside the transaction that moves the
// movement, so an order and its money never disagree.
import { randomUUID } from 'node:crypto';
import type { Postings } from '../books';
import type { WorkerSettings } from '../config';
import type { Lease, Movement, OrderRow, OrderStatus, OrderStore, RefundStore, Sql } from '../db';
import { findCurrency, toDecimalString } from '../money';
import type { HandlerTable } from '../movements';
import { SEND_DEADLINE } from '../providers';
import { shortId } from '../uuid';
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

/**
 * What the seller's phone says when the payout lands (MoMo texts the payee note): the item and
 * the split, e.g. "Sokoni 3x Woven basket: sale 37.50, fee 7.50, you get 30.00 EUR". A long name
 * is shortened so the amounts always fit in 160 characters (MoMo's limit), with a little room for
 * the adapter's cleaning ("&" becomes "and").
 */
export function payoutNote(order: OrderRow, productName: string): string {
  const amount = (minor: number) => toDecimalString(minor, order.currency);
  const head = `Sokoni ${order.qty}x `;
  const tail = `: sale ${amount(order.amountMinor)}, fee ${amount(order.platformAmountMinor)}, you get ${amount(order.sellerAmountMinor)} ${order.currency}`;
  const room = 150 - head.length - tail.length;
  const name = productName.length > room ? `${productName.slice(0, Math.max(0, room - 3))}...` : productName;
  return `${head}${name}${tail}`;
}

/**
 * What a seller's payout carries: what Sokoni owes them now, less what is already on its way
 * (`RefundStore.sellerAvailable`, read after this order's share was booked). That is the order's
 * share, less any claw-back the seller still owes from a refund after their payout had left, plus
 * anything a failed refund's claw-back left owed to them (issue #14). Null: nothing goes out now
 * (nothing left, or less than the currency's smallest payment); it stays owed, and the seller's
 * next payout carries it.
 */
export function nettedPayout(available: number, currency: string): number | null {
  const minimum = findCurrency(currency)?.minMinor ?? 1;
  return available >= minimum ? available : null;
}

/**
 * `books` posts each money event's journal in the same transaction (issue #12). A send reads its
 * order once with what it needs around it (`orderForSend`: the product's name, the seller's
 * number and payout hold), not the order, product and seller one by one. Inside a movement's
 * transaction every statement runs on its `tx`: the order's, the books' postings and the refunds'.
 */
export function orderHandlers(orders: OrderStore, books: Postings, refunds: RefundStore): HandlerTable {
  const moveOrder = async (tx: Sql, orderId: string, from: OrderStatus, to: OrderStatus, now: number, detail: string | null = null) => {
    assertOrderMove(from, to);
    await orders.in(tx).moveOrder(orderId, from, to, now, detail);
  };

  /** The payment is SUCCESSFUL for the right amount: the order is paid, and the seller's payout is written. */
  const paid = async (tx: Sql, collection: Movement, now: number, lease: Lease): Promise<Movement[]> => {
    const { orderId, provider } = collection;
    const inTx = orders.in(tx);
    const { order, sellerMsisdn } = (await inTx.orderForSend(orderId))!;
    await moveOrder(tx, orderId, 'pending', 'paid', now);
    await books.collected(tx, order, collection, now);
    // A zero share (0 bps, or a tiny amount) leaves nothing to send: the order is settled.
    if (order.sellerAmountMinor === 0) {
      await moveOrder(tx, orderId, 'paid', 'settled', now, 'nothing to pay out');
      return [];
    }
    const refundsInTx = refunds.in(tx);
    const amountMinor = (await refundsInTx.sellerHasRefunds(order.sellerId, order.currency))
      ? nettedPayout(await refundsInTx.sellerAvailable(order.sellerId, order.currency), order.currency)
      : order.sellerAmountMinor;
    if (amountMinor === null) {
      await moveOrder(tx, orderId, 'paid', 'settled', now, 'share netted against refunds the seller owes');
      return [];
    }
    return [await inTx.movements.insert({
      orderId, kind: 'payout', provider, partyMsisdn: sellerMsisdn!,
      amountMinor, currency: order.currency, referenceId: randomUUID(),
    }, lease, now)];
  };

  return {
    collection: {
      label: 'payment',
      maxAttempts: 1,
      firstCheckMs: (settings) => settings.firstCheckMs,
      async sendPlan(movement) {
        const { order, productName } = (await orders.orderForSend(movement.orderId))!;
        return { ...collectMessages(productName || 'order', order.qty), notBefore: null };
      },
      succeeded: (tx, movement, now, lease) => paid(tx, movement, now, lease),
      async failed(tx, movement, reason, now, moved) {
        await moveOrder(tx, movement.orderId, 'pending', 'failed', now, reason);
        if (moved) await books.movedAgainstFailure(tx, movement, moved, now);
      },
      // A shopper waits at the till: a payment MoMo has not accepted by then is never sent after.
      sendDeadlineMs: (settings) => settings.paySendDeadlineS * 1000,
      abandoned: (tx, movement, now) => moveOrder(tx, movement.orderId, 'pending', 'failed', now, SEND_DEADLINE),
      // The order stays failed; the money is held in suspense until it is refunded.
      arrivedLate: (tx, movement, moved, now) => books.movedAgainstFailure(tx, movement, moved, now),
    },
    payout: {
      label: 'payout',
      maxAttempts: maxPayoutAttempts,
      firstCheckMs: firstPayoutCheckMs,
      // The hold is read at each send, so a hold set or ended meanwhile counts, and so does a retry's new number.
      async sendPlan(movement) {
        const { order, productName, payoutHoldUntil } = (await orders.orderForSend(movement.orderId))!;
        return {
          payerMessage: `Sokoni payout for order ${shortId(movement.orderId)}`, payeeNote: payoutNote(order, productName || 'order'), notBefore: payoutHoldUntil,
        };
      },
      async succeeded(tx, movement, now) {
        await moveOrder(tx, movement.orderId, 'paid', 'settled', now);
        await books.paidOut(tx, (await orders.in(tx).order(movement.orderId))!, movement, now);
        return [];
      },
      async failed(tx, movement, reason, now, moved) {
        await moveOrder(tx, movement.orderId, 'paid', 'payout_failed', now, reason);
        if (moved) await books.movedAgainstFailure(tx, movement, moved, now);
      },
      waitsForFunds: true,
      // Every new attempt goes to the seller's number as it is now, e.g. after an operator fixed it.
      partyFor: async (movement) => (await orders.orderForSend(movement.orderId))!.sellerMsisdn ?? movement.partyMsisdn,
    },
    // A refund gives (part of) a collection back to its payer from the disbursement account. The
    // order's own status does not change: its refunds are lines beside it (issue #14).
    refund: {
      label: 'refund',
      maxAttempts: maxPayoutAttempts,
      firstCheckMs: firstPayoutCheckMs,
      async sendPlan(movement) {
        const { order, productName } = (await orders.orderForSend(movement.orderId))!;
        const name = productName || 'order';
        const text = `Sokoni refund ${toDecimalString(movement.amountMinor, movement.currency)} ${movement.currency}: ${order.qty}x ${name}`.slice(0, 150);
        return { payerMessage: text, payeeNote: text, notBefore: null };
      },
      async succeeded(tx, movement, now) {
        const refundsInTx = refunds.in(tx);
        const refund = (await refundsInTx.byMovement(movement.id))!;
        await refundsInTx.finish(refund.id, 'refunded', now);
        await books.refunded(tx, { ...refund, sellerId: (await orders.in(tx).order(movement.orderId))!.sellerId }, movement, now);
        return [];
      },
      // Its money never left, so the seller must be made whole: a claw-back taken off a payout
      // that has still not left goes back onto it; otherwise it stays owed in the seller's
      // payable (never booked away: the books take a refund only once it succeeds), and their
      // next payout carries it (nettedPayout).
      async failed(tx, movement, reason, now, moved) {
        const refundsInTx = refunds.in(tx);
        const refund = (await refundsInTx.byMovement(movement.id))!;
        await refundsInTx.finish(refund.id, 'failed', now);
        const payout = await orders.in(tx).movements.of(movement.orderId, 'payout');
        if (refund.payoutReducedMinor > 0 && payout) await refundsInTx.restorePayout(payout.id, refund.payoutReducedMinor, now);
        if (moved) await books.movedAgainstFailure(tx, movement, moved, now);
      },
      waitsForFunds: true,
      // MoMo pays back whoever paid the collection, named by its reference (collections have one attempt).
      refundOf: async (movement) => (await orders.movements.of(movement.orderId, 'collection'))!.referenceId,
    },
  };
}
