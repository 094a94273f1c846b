// The few order and movement statements that the refunds room (db/refunds.ts, src/refunds) still
// runs synchronously on SQLite's own connection, inside its own transactions, until it moves onto
// the async port (issue #17's transitional rule). The SQL is OrderStore's and MovementStore's.
import type { Database } from './connection';
import { groupCommit } from './group-commit';
import type { Lease, Movement, MovementKind, MovementOf, NewMovement } from './movements';
import { movementSql } from './movements';
import { orderSql, type OrderRow, type OrderStatus } from './orders';
import { statement } from './statements';

export class SyncMovementStore {
  constructor(private readonly db: Database) {}

  /** As MovementStore.insert; joins the caller's transaction, or the turn's group commit. */
  insert(movement: NewMovement, lease: Lease, now: number): number {
    return groupCommit(this.db).write(() => {
      const { id } = statement(this.db, movementSql.insert).get({ ...movement, until: lease.until, holder: lease.holder, now }) as { id: number };
      statement(this.db, movementSql.insertAttempt).run(movement.referenceId, id, movement.partyMsisdn, now, now);
      statement(this.db, movementSql.insertEvent).run(movement.orderId, movement.kind, null, 'sending', movement.referenceId, now);
      return id;
    });
  }

  byId(id: number): Movement | undefined {
    return statement(this.db, movementSql.byId).get(id) as Movement | undefined;
  }

  of<K extends MovementKind>(orderId: string, kind: K): MovementOf<K> | undefined {
    return statement(this.db, movementSql.byOrder).get(orderId, kind) as MovementOf<K> | undefined;
  }
}

export class SyncOrderStore {
  constructor(private readonly db: Database) {}

  order(id: string): OrderRow | undefined {
    return statement(this.db, orderSql.orderById).get(id) as OrderRow | undefined;
  }

  /** As OrderStore.moveOrder; joins the caller's transaction, or the turn's group commit. */
  moveOrder(orderId: string, from: OrderStatus, to: OrderStatus, now: number, detail: string | null = null): boolean {
    return groupCommit(this.db).write(() => {
      if (statement(this.db, orderSql.moveOrder).run(to, now, orderId, from).changes !== 1) return false;
      statement(this.db, orderSql.insertEvent).run(orderId, from, to, detail, now);
      return true;
    });
  }
}
