// A state machine as data: for each state, the states it may move to. Every change of state
// is checked against its machine before it is written (and the write is guarded by the old
// state), so a machine's table is the one place that says what may happen to an entity.

export type Machine<S extends string> = { readonly [From in S]: readonly S[] };

export class IllegalTransition extends Error {
  override name = 'IllegalTransition';
  constructor(readonly entity: string, readonly from: string, readonly to: string) {
    super(`illegal ${entity} transition ${from} → ${to}`);
  }
}

export function assertMove<S extends string>(entity: string, machine: Machine<S>, from: S, to: S): void {
  // A state read from the database may be one no machine knows.
  const allowed: readonly S[] | undefined = machine[from];
  if (!allowed?.includes(to)) throw new IllegalTransition(entity, from, to);
}

/** Every state reachable from `start`, `start` included. */
export function reachableFrom<S extends string>(machine: Machine<S>, start: S): Set<S> {
  const seen = new Set<S>([start]);
  const queue: S[] = [start];
  for (let state = queue.shift(); state !== undefined; state = queue.shift()) {
    for (const next of machine[state]) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

export function statesOf<S extends string>(machine: Machine<S>): S[] {
  return Object.keys(machine) as S[];
}
