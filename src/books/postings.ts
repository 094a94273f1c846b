// What the workflow posts, one journal per money event, each called by the checkout's handlers
// inside the transaction that moves the movement (so the books and the movements never disagree):
// each takes that transaction's `Sql`. The table of what posts what is in README's "The books".
import type { Movement, OrderRow, Sql } from '../db';
import { findCurrency } from '../money';
import { sellerPayable } from './accounts';
import { Ledger } from './ledger';

/** What a provider says actually moved, when it is not what was asked for. */
export interface Moved {
  amountMinor: number;
  currency: string;
}

export interface Postings {
  /** A collection SUCCESSFUL for the order's amount: collection up; the seller's share owed, the rest earned. */
  collected(tx: Sql, order: OrderRow, movement: Movement, at: number): Promise<void>;
  /** A payout SUCCESSFUL: the seller is owed less, and it left the disbursement account. */
  paidOut(tx: Sql, order: OrderRow, movement: Movement, at: number): Promise<void>;
  /**
   * Money moved, but not as asked (a SUCCESSFUL for another amount or currency), so the movement
   * failed: it is held in suspense until a person decides what it was.
   */
  movedAgainstFailure(tx: Sql, movement: Movement, moved: Moved, at: number): Promise<void>;
  /**
   * A refund SUCCESSFUL: the money left the disbursement account back to the payer. An order's
   * refund takes the seller's part from their payable (below zero when their payout had left:
   * the claw-back, netted from their next payouts) and the platform's from its revenue; a refund
   * of money that arrived against a failed order clears it from suspense.
   */
  refunded(tx: Sql, refund: RefundedParts, movement: Movement, at: number): Promise<void>;
}

/** How a successful refund is booked. */
export interface RefundedParts {
  sellerId: string;
  sellerPartMinor: number;
  platformPartMinor: number;
  fromSuspense: boolean;
}

export function createPostings(): Postings {
  const ledger = (tx: Sql) => new Ledger(tx);
  const about = (movement: Movement, at: number) => ({ orderId: movement.orderId, movementId: movement.id, at });
  return {
    async collected(tx, order, movement, at) {
      await ledger(tx).post({
        kind: 'collection', currency: order.currency, ...about(movement, at),
        lines: [
          { account: 'collection', amountMinor: order.amountMinor },
          { account: sellerPayable(order.sellerId), amountMinor: -order.sellerAmountMinor },
          { account: 'platform_revenue', amountMinor: -order.platformAmountMinor },
        ],
      });
    },
    async paidOut(tx, order, movement, at) {
      await ledger(tx).post({
        kind: 'payout', currency: movement.currency, ...about(movement, at),
        lines: [
          { account: sellerPayable(order.sellerId), amountMinor: movement.amountMinor },
          { account: 'disbursement', amountMinor: -movement.amountMinor },
        ],
      });
    },
    async movedAgainstFailure(tx, movement, moved, at) {
      // Nothing to book, or a currency the books cannot hold: reconciliation reports the
      // movement's status difference, and a person books it by an operator journal.
      if (moved.amountMinor <= 0 || !findCurrency(moved.currency)) return;
      // A collection brought money in; a payout sent it out.
      const sign = movement.kind === 'collection' ? 1 : -1;
      const account = movement.kind === 'collection' ? 'collection' : 'disbursement';
      await ledger(tx).post({
        kind: 'suspense', currency: moved.currency, ...about(movement, at),
        note: `${movement.kind} ${movement.referenceId} moved ${moved.amountMinor} ${moved.currency} minor units, not ${movement.amountMinor} ${movement.currency}`,
        lines: [
          { account, amountMinor: sign * moved.amountMinor },
          { account: 'suspense', amountMinor: -sign * moved.amountMinor },
        ],
      });
    },
    async refunded(tx, refund, movement, at) {
      const lines = refund.fromSuspense
        ? [{ account: 'suspense', amountMinor: movement.amountMinor }]
        : [
          { account: sellerPayable(refund.sellerId), amountMinor: refund.sellerPartMinor },
          { account: 'platform_revenue', amountMinor: refund.platformPartMinor },
        ];
      await ledger(tx).post({
        kind: 'refund', currency: movement.currency, ...about(movement, at),
        ...(refund.fromSuspense ? { note: `refund of money held in suspense, ${movement.referenceId}` } : {}),
        lines: [{ account: 'disbursement', amountMinor: -movement.amountMinor }, ...lines],
      });
    },
  };
}
