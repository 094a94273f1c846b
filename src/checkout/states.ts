// The order's state machine, as data. Its movements' machines are in src/movements; every
// change of an order's state is checked against this table before it is written.
import type { OrderStatus } from '../db';
import { assertMove, type Machine } from '../movements';

export type { OrderStatus };

export const orderMachine: Machine<OrderStatus> = {
  pending: ['paid', 'failed'],
  paid: ['settled', 'payout_failed'],
  // An operator may send a failed payout again once the cause (e.g. funds) is fixed.
  payout_failed: ['paid'],
  settled: [],
  failed: [],
};

export function assertOrderMove(from: OrderStatus, to: OrderStatus): void {
  assertMove('order', orderMachine, from, to);
}

/** States nothing can leave. */
export const terminalOrderStatuses: readonly OrderStatus[] = ['settled', 'failed'];

/** States no further step will change on its own; payout_failed waits for a person. */
export const finalOrderStatuses: readonly OrderStatus[] = ['settled', 'failed', 'payout_failed'];

export function isFinalOrder(status: OrderStatus): boolean {
  return finalOrderStatuses.includes(status);
}
