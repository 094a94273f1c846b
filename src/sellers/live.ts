// Live changes per seller: the checkout says which order changed (a sale paid, a payout moved, a
// refund booked through its movement); this hub says which seller that touches and tells only
// that seller's open pages. While no page is open it looks nothing up, so the hot path pays for
// one empty check per change.
import { sellerOfOrder, type Sql } from '../db';

/** Subscribes to every order's changes; returns the unsubscribe function. */
export type OrderChanges = (listener: (orderId: string) => void) => () => void;

export function createSellerLive(sql: Sql, changes: OrderChanges) {
  const watchers = new Map<string, Set<() => void>>();
  let unsubscribe: (() => void) | null = null;

  // Called from the engine's change notice, which must not wait: the lookup goes on after it
  // returns. A failing lookup (the database closing at shutdown) must never reach the engine,
  // so it costs the open pages one refresh, nothing more.
  const tell = (sellerId: string | undefined) => {
    const listeners = sellerId === undefined ? undefined : watchers.get(sellerId);
    if (listeners) for (const listener of [...listeners]) listener();
  };
  const changed = (orderId: string) => {
    sellerOfOrder(sql, orderId).then(tell, () => undefined);
  };

  return {
    /** Calls `listener` after each committed change to one of this seller's orders; returns the unsubscribe function. */
    watch(sellerId: string, listener: () => void): () => void {
      let listeners = watchers.get(sellerId);
      if (!listeners) watchers.set(sellerId, (listeners = new Set()));
      // Each watch is its own entry, so the same function watching twice is removed twice.
      const entry = () => listener();
      listeners.add(entry);
      unsubscribe ??= changes(changed);
      return () => {
        listeners.delete(entry);
        if (listeners.size === 0 && watchers.get(sellerId) === listeners) watchers.delete(sellerId);
        if (watchers.size === 0 && unsubscribe) {
          unsubscribe();
          unsubscribe = null;
        }
      };
    },
  };
}

export type SellerLive = ReturnType<typeof createSellerLive>;
