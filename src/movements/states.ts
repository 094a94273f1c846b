// The movements' state machines, one per kind, typed by that kind's states.
import type { CollectionStatus, MovementKind, PayoutStatus, RefundStatus, StatusOfKind } from '../db';
import { assertMove, type Machine } from './machine';

export const collectionMachine: Machine<CollectionStatus> = {
  sending: ['pending', 'successful', 'failed', 'abandoned'],
  pending: ['successful', 'failed'],
  // Given up at the send deadline, still read: money that arrives after all is never lost.
  abandoned: ['successful', 'failed'],
  successful: [],
  failed: [],
};

export const payoutMachine: Machine<PayoutStatus> = {
  sending: ['pending', 'successful', 'failed', 'retry_wait', 'waiting_funds'],
  pending: ['successful', 'failed', 'retry_wait', 'waiting_funds'],
  // `cancelled` is the refunds' claw-back, from the states where no create is out (issue #14).
  retry_wait: ['sending', 'cancelled'],
  waiting_funds: ['sending', 'cancelled'],
  // An operator may send a failed payout again once the cause (e.g. funds) is fixed.
  failed: ['retry_wait', 'cancelled'],
  successful: [],
  // A full refund approved before the payout left takes the seller's whole share back: nothing
  // is sent. Only from states where no create is out (never sending or pending).
  cancelled: [],
};

/** A refund: sent once approved; it waits for funds and retries a temporary failure as a payout does. */
export const refundMachine: Machine<RefundStatus> = {
  sending: ['pending', 'successful', 'failed', 'retry_wait', 'waiting_funds'],
  pending: ['successful', 'failed', 'retry_wait', 'waiting_funds'],
  retry_wait: ['sending'],
  waiting_funds: ['sending'],
  successful: [],
  failed: [],
};

/** States nothing can leave: the money has moved, or never will on this movement. */
export const terminalMovementStates: { readonly [K in MovementKind]: readonly StatusOfKind[K][] } = {
  collection: ['successful', 'failed'],
  // A failed payout is not terminal: an operator can send it again.
  payout: ['successful', 'cancelled'],
  refund: ['successful', 'failed'],
};

export const movementMachines: { readonly [K in MovementKind]: Machine<StatusOfKind[K]> } = {
  collection: collectionMachine,
  payout: payoutMachine,
  refund: refundMachine,
};

export function assertMovementMove<K extends MovementKind>(kind: K, from: StatusOfKind[K], to: StatusOfKind[K]): void {
  assertMove<StatusOfKind[K]>(kind, movementMachines[kind], from, to);
}
