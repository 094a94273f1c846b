// The checkout's state machines, written down as data: for each entity, the moves that are
// legal from each state. Every change of state in the workflow is checked against these
// tables before it is written, so this file is the one place that says what may happen.

export type OrderStatus = 'pending' | 'paid' | 'settled' | 'failed' | 'payout_failed';
/** `sending`: the row is written and the create call may or may not have reached the provider. */
export type PaymentStatus = 'sending' | 'pending' | 'successful' | 'failed';
/** `retry_wait`: the last attempt is known FAILED for a temporary reason; a new one is due. */
export type PayoutStatus = 'sending' | 'pending' | 'successful' | 'failed' | 'retry_wait';

type Machine<S extends string> = { readonly [From in S]: readonly S[] };

export const orderMachine: Machine<OrderStatus> = {
  pending: ['paid', 'failed'],
  paid: ['settled', 'payout_failed'],
  // An operator may send a failed payout again once the cause (e.g. funds) is fixed.
  payout_failed: ['paid'],
  settled: [],
  failed: [],
};

export const paymentMachine: Machine<PaymentStatus> = {
  sending: ['pending', 'successful', 'failed'],
  pending: ['successful', 'failed'],
  successful: [],
  failed: [],
};

export const payoutMachine: Machine<PayoutStatus> = {
  sending: ['pending', 'successful', 'failed', 'retry_wait'],
  pending: ['successful', 'failed', 'retry_wait'],
  retry_wait: ['sending'],
  failed: ['retry_wait'],
  successful: [],
};

export const machines = { order: orderMachine, payment: paymentMachine, payout: payoutMachine } as const;
export type Entity = keyof typeof machines;

export class IllegalTransition extends Error {
  override name = 'IllegalTransition';
  constructor(readonly entity: Entity, readonly from: string, readonly to: string) {
    super(`illegal ${entity} transition ${from} → ${to}`);
  }
}

export function assertTransition<E extends Entity>(entity: E, from: string, to: string): void {
  const allowed = (machines[entity] as Machine<string>)[from];
  if (!allowed || !allowed.includes(to)) throw new IllegalTransition(entity, from, to);
}

export const finalOrderStatuses: readonly OrderStatus[] = ['settled', 'failed', 'payout_failed'];

export function isFinalOrder(status: OrderStatus): boolean {
  return finalOrderStatuses.includes(status);
}
