// The movements room's door: the engine that follows every money movement to its final state,
// its worker, and the movements' state machines.
export { MovementEngine, type EngineDeps, type HandlerTable, type KindHandler } from './engine';
export { holderIsGone, Worker, leaseMs, type WorkerHealth, type WorkerSql } from './worker';
export { assertMove, IllegalTransition, reachableFrom, statesOf, type Machine } from './machine';
export { collectionMachine, payoutMachine, refundMachine, movementMachines, terminalMovementStates, assertMovementMove } from './states';
export { isStuck } from './schedule';
