// The back office's door: what the operator console reads (orders by any filter or search, one
// order in full, the day's figures, what needs attention, whether MoMo and the database
// answer) and the one money action it takes today, retrying a failed payout, audited.
import type { ActionContext, Accounts } from '../accounts';
import type { Checkout } from '../checkout';
import type { WorkerSettings } from '../config';
import {
  attentionCounts,
  attentionRows,
  databaseAnswers,
  dayFigures,
  filterChoices,
  listOrderRows,
  orderDetailRows,
  type Sql,
  type OrderListRow,
  type OwingSeller,
  type ReconcileItemRow,
} from '../db';
import { DomainError } from '../domain-error';
import { databaseReader } from './database-read';
import { encodeCursor, parseOrderQuery } from './queries';

export { compareBalances, type BalanceComparison, type ExpectedBalance, type ReportedBalances } from './balances';
export { createCatalogueDesk, type CatalogueDesk, type CatalogueDeskOptions } from './catalogue-desk';
export { ORDER_STATUSES, PAGE_SIZE, parseOrderQuery } from './queries';
export type { AttemptRow, DayFigures, EventRow, MovementDetailRow, OrderDetailRows, OrderListRow, AttentionRow, AttentionCounts } from '../db';

export interface BackofficeOptions {
  sql: Sql;
  checkout: Checkout;
  accounts: Accounts;
  settings: WorkerSettings;
  clock?: () => number;
  /** How long the console waits for MoMo's balance before saying it does not answer. */
  providerTimeoutMs?: number;
  /** The books' reconciliation differences, listed under Needs attention and resolved there. */
  differences?: {
    openItems(limit: number): Promise<ReconcileItemRow[]>;
    resolveItem(id: string, note: unknown, by: string): Promise<ReconcileItemRow>;
  };
  /** Sellers still owing a claw-back after CLAWBACK_ALERT_DAYS (the refunds' door), listed under Needs attention. */
  clawbacks?: { owingSellers(): Promise<OwingSeller[]> };
}

export interface Health {
  database: boolean;
  momo: boolean;
  balances: Awaited<ReturnType<Checkout['balances']>> | null;
}

export type Backoffice = ReturnType<typeof createBackoffice>;

/** The console's reads, when the database cannot answer: a 503 that says so, never a bare 500. */
export const DATABASE_DOWN = 'The database is not answering. Orders cannot be shown or followed until it is back; try again shortly.';

export function createBackoffice(options: BackofficeOptions) {
  const { sql, checkout, accounts } = options;
  const clock = options.clock ?? Date.now;
  const stuckBefore = () => clock() - options.settings.stuckAfterS * 1000;
  const read = databaseReader(DATABASE_DOWN);
  const startOfDay = () => {
    const now = new Date(clock());
    return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  };

  return {
    /** One page, newest first, and the cursor of the next page (null on the last). */
    async listOrders(query: Record<string, unknown>): Promise<{ orders: OrderListRow[]; next: string | null }> {
      const filter = parseOrderQuery(query);
      // One row more than asked tells whether there is a next page without counting.
      const rows = await read(() => listOrderRows(sql, { ...filter, limit: filter.limit + 1 }));
      const page = rows.slice(0, filter.limit);
      const last = page[page.length - 1];
      return { orders: page, next: rows.length > filter.limit && last ? encodeCursor(last) : null };
    },

    order: (orderId: string) => read(() => orderDetailRows(sql, orderId.toLowerCase())),
    today: () => read(async () => ({ since: startOfDay(), figures: await dayFigures(sql, startOfDay()), attention: await attentionCounts(sql, stuckBefore()) })),
    attention: () => read(async () => ({
      ...(await attentionRows(sql, stuckBefore(), 100)),
      differences: (await options.differences?.openItems(100)) ?? [],
      owingSellers: (await options.clawbacks?.owingSellers()) ?? [],
    })),

    /** An operator settles a reconciliation difference with a note, audited. */
    async resolveDifference(ctx: ActionContext, itemId: string, note: unknown): Promise<void> {
      if (!options.differences) throw new DomainError('not_found', 'item_not_found', 'No reconciliation item with this id');
      try {
        await options.differences.resolveItem(itemId, note, ctx.caller.email);
      } catch (error) {
        await accounts.audit(ctx, { action: 'reconciliation.resolve', objectType: 'reconciliation_item', objectId: itemId, outcome: 'refused' });
        throw error;
      }
      await accounts.audit(ctx, { action: 'reconciliation.resolve', objectType: 'reconciliation_item', objectId: itemId, after: { note } });
    },
    filterChoices: () => read(() => filterChoices(sql)),
    watch: (orderId: string, listener: () => void) => checkout.watch(orderId, listener),

    async health(): Promise<Health> {
      const database = await databaseAnswers(sql);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), options.providerTimeoutMs ?? 3000)));
      const balances = await Promise.race([checkout.balances().catch(() => null), timeout]);
      clearTimeout(timer);
      return { database, momo: balances !== null, balances };
    },

    /** Sends a failed payout again with a new reference; refused (and audited) unless the payout failed. */
    async retryPayout(ctx: ActionContext, orderId: string): Promise<void> {
      const before = await orderDetailRows(sql, orderId);
      if (!before) throw new DomainError('not_found', 'order_not_found', 'No order with this id');
      const state = (o: typeof before.order) => ({ status: o.status, payout: o.payoutStatus });
      if (!(await checkout.retryPayout(before.order.id))) {
        await accounts.audit(ctx, { action: 'payout.retry', objectType: 'order', objectId: before.order.id, before: state(before.order), outcome: 'refused' });
        throw new DomainError('conflict', 'payout_not_failed', `Only an order whose payout failed can be retried; this one is ${before.order.status}`);
      }
      const after = (await orderDetailRows(sql, before.order.id))!;
      await accounts.audit(ctx, { action: 'payout.retry', objectType: 'order', objectId: before.order.id, before: state(before.order), after: state(after.order) });
    },
  };
}
