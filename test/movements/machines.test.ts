// The state machines as a spec, in the spirit of Vendure's finite-state-machine.spec.ts: every
// state is reachable from the start, terminal states have no moves, each documented path walks
// through, and an illegal move throws.
import { describe, expect, it } from 'vitest';
import { orderMachine, terminalOrderStatuses } from '../../src/checkout';
import { refundRequestMachine, terminalRefundStates } from '../../src/refunds';
import {
  assertMove, IllegalTransition, movementMachines, reachableFrom, statesOf, terminalMovementStates, type Machine,
} from '../../src/movements';

interface Spec<S extends string> {
  name: string;
  machine: Machine<S>;
  start: S;
  terminal: readonly S[];
  paths: S[][];
  illegal: [S, S][];
}

const specs = [
  {
    name: 'order',
    machine: orderMachine,
    start: 'pending',
    terminal: terminalOrderStatuses,
    paths: [
      ['pending', 'paid', 'settled'],
      ['pending', 'failed'],
      ['pending', 'paid', 'payout_failed', 'paid', 'settled'],
    ],
    illegal: [['pending', 'settled'], ['failed', 'paid'], ['settled', 'pending'], ['payout_failed', 'settled']],
  },
  {
    name: 'collection',
    machine: movementMachines.collection,
    start: 'sending',
    terminal: terminalMovementStates.collection,
    paths: [
      ['sending', 'pending', 'successful'],
      ['sending', 'successful'],
      ['sending', 'pending', 'failed'],
      ['sending', 'failed'],
      ['sending', 'abandoned', 'successful'],
      ['sending', 'abandoned', 'failed'],
    ],
    illegal: [['failed', 'successful'], ['successful', 'failed'], ['pending', 'sending'], ['abandoned', 'sending'], ['pending', 'abandoned']],
  },
  {
    name: 'payout',
    machine: movementMachines.payout,
    start: 'sending',
    terminal: terminalMovementStates.payout,
    paths: [
      ['sending', 'pending', 'successful'],
      ['sending', 'pending', 'retry_wait', 'sending', 'successful'],
      ['sending', 'failed', 'retry_wait', 'sending', 'pending', 'successful'],
      ['sending', 'pending', 'waiting_funds', 'sending', 'pending', 'successful'],
      // Refunds take back a share that has not left (issue #14).
      ['sending', 'pending', 'waiting_funds', 'cancelled'],
      ['sending', 'failed', 'cancelled'],
      ['sending', 'pending', 'retry_wait', 'cancelled'],
    ],
    illegal: [
      ['successful', 'retry_wait'], ['retry_wait', 'successful'], ['failed', 'successful'], ['pending', 'sending'], ['waiting_funds', 'successful'],
      // Never one that may be in flight, and a cancelled payout stays cancelled.
      ['sending', 'cancelled'], ['pending', 'cancelled'], ['successful', 'cancelled'], ['cancelled', 'sending'],
    ],
  },
  {
    name: 'refund',
    machine: movementMachines.refund,
    start: 'sending',
    terminal: terminalMovementStates.refund,
    paths: [
      ['sending', 'pending', 'successful'],
      ['sending', 'successful'],
      ['sending', 'pending', 'waiting_funds', 'sending', 'successful'],
      ['sending', 'pending', 'retry_wait', 'sending', 'pending', 'failed'],
    ],
    illegal: [['failed', 'retry_wait'], ['successful', 'failed'], ['pending', 'sending'], ['waiting_funds', 'successful'], ['sending', 'abandoned']],
  },
  {
    name: 'refund request',
    machine: refundRequestMachine,
    start: 'requested',
    terminal: terminalRefundStates,
    paths: [
      ['requested', 'pending_approval', 'approved', 'refunded'],
      ['requested', 'approved', 'refunded'],
      ['requested', 'pending_approval', 'declined'],
      ['requested', 'pending_approval', 'expired'],
      ['requested', 'approved', 'failed'],
    ],
    // Nothing leaves before approval, and a decided request stays decided.
    illegal: [['pending_approval', 'refunded'], ['declined', 'approved'], ['expired', 'approved'], ['approved', 'declined'], ['failed', 'approved']],
  },
] as Spec<string>[];

describe.each(specs)('the $name machine', ({ name, machine, start, terminal, paths, illegal }) => {
  it('reaches every state from the start', () => {
    expect([...reachableFrom(machine, start)].sort()).toEqual(statesOf(machine).sort());
  });

  it('has no moves out of a terminal state, and every other state has one', () => {
    for (const state of statesOf(machine)) {
      if (terminal.includes(state)) expect(machine[state], state).toEqual([]);
      else expect(machine[state]!.length, state).toBeGreaterThan(0);
    }
  });

  it.each(paths)('walks a documented path from %s', (...path) => {
    for (let i = 1; i < path.length; i++) expect(() => assertMove(name, machine, path[i - 1]!, path[i]!)).not.toThrow();
  });

  it.each(illegal)('refuses %s → %s', (from, to) => {
    expect(() => assertMove(name, machine, from, to)).toThrow(IllegalTransition);
  });

  it('refuses a state it does not know', () => {
    expect(() => assertMove(name, machine, 'teleported', start)).toThrow(IllegalTransition);
  });
});
