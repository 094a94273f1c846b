// Refunds as a person asks for them (issue #14): a request splits the amount between the seller
// and the platform, waits for a second person above the currency's threshold, and once approved
// becomes a refund movement that the engine sends and follows like any other. In the approval's
// own transaction the seller's part is taken back from their payout if it has not left (the
// claw-back); if it has, the books take it from their payable when the refund succeeds, and
// their next payouts are netted (checkout's nettedPayout).
import { randomUUID } from 'node:crypto';
import type { ActionContext, AuditEvent } from '../accounts';
import { allows } from '../accounts';
import { assertOrderMove, type Checkout } from '../checkout';
import type { RefundSettings } from '../config';
import { isUniqueViolation, OrderStore, RefundStore, type OrderRow, type OwingSeller, type RefundRow, type RefundStatus, type Sql } from '../db';
import { DomainError } from '../domain-error';
import { assertMovementMove } from '../movements';
import type { Logger } from '../log';
import { toDecimalString } from '../money';
import { splitRefund } from './split';
import { assertRefundMove } from './states';

/** A request nobody approved or declined expires after this long. */
export const REFUND_REQUEST_TTL_MS = 7 * 24 * 3600 * 1000;
/** How often pending requests are swept for expiry. */
const EXPIRY_SWEEP_MS = 60_000;

/** A refund as the API and the console show it. */
export interface RefundView {
  id: string;
  orderId: string;
  /** pending_approval → approved → refunded | failed; or declined, or expired. */
  state: RefundRow['state'];
  amountMinor: number;
  /** The amount as a decimal string in the currency's units, e.g. "12.50". */
  amount: string;
  currency: string;
  sellerPartMinor: number;
  platformPartMinor: number;
  /** Money that arrived against a failed order, given back from suspense. */
  fromSuspense: boolean;
  reason: string;
  requestedBy: string;
  /** Who approved it; null while pending, and when it was at or below the threshold (no second person needed). */
  approvedBy: string | null;
  declinedBy: string | null;
  declineReason: string | null;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  /** The money's movement once approved: its provider reference, status and reason. */
  movement: { referenceId: string; status: RefundStatus; reason: string | null; financialTransactionId: string | null } | null;
}

export interface RefundsOptions {
  sql: Sql;
  checkout: Pick<Checkout, 'sendLease' | 'sendMovement'>;
  /**
   * The accounts' audit log: approve, decline and request are written there. `sql` is where to
   * write it: the transaction's executor when the entry is part of one (a statement on the outer
   * executor would wait for that transaction to end), else this room's own.
   */
  audit: (ctx: ActionContext, event: AuditEvent, sql: Sql) => unknown;
  settings: RefundSettings;
  log: Logger;
  clock?: () => number;
}

export interface Refunds {
  /** Asks for a refund of `amountMinor` of a paid, settled or payout_failed order, with a reason; the same idempotency key returns the same refund. */
  request(ctx: ActionContext, orderId: string, input: { amountMinor?: unknown; reason?: unknown }, idempotencyKey?: string | null): Promise<RefundView>;
  /** Asks for a refund of all the money that arrived against a failed order (held in suspense); the same rules. */
  requestSuspense(ctx: ActionContext, orderId: string, input: { reason?: unknown }, idempotencyKey?: string | null): Promise<RefundView>;
  /** A second operator or owner approves a pending request: it is sent at once. */
  approve(ctx: ActionContext, refundId: string): Promise<RefundView>;
  /** An operator or owner declines a pending request, saying why. */
  decline(ctx: ActionContext, refundId: string, input: { reason?: unknown }): Promise<RefundView>;
  /** An order's refunds, oldest first; undefined when there is no such order. */
  ofOrder(orderId: string): Promise<RefundView[] | undefined>;
  get(refundId: string): Promise<RefundView | undefined>;
  /** Requests waiting for a second person, nearest expiry first (at most `limit`, default 100). */
  awaitingApproval(limit?: number): Promise<RefundView[]>;
  /**
   * What can be asked for now: for a paid order, what was collected less the refunds given or on
   * their way; for a failed order, the money held in suspense. Null while a refund is open or
   * when there is nothing to give back.
   */
  refundable(orderId: string): Promise<{ amountMinor: number; currency: string; fromSuspense: boolean } | null>;
  /** Sellers still owing a claw-back after CLAWBACK_ALERT_DAYS (Needs attention). */
  owingSellers(): Promise<OwingSeller[]>;
  /** Expires pending requests older than 7 days; returns how many. */
  expireDue(): Promise<number>;
  /** Starts and stops the expiry sweep (its failures are logged, and the next sweep tries again). */
  start(): void;
  stop(): void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function reasonText(value: unknown, field = 'reason'): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length < 1 || text.length > 500) throw new DomainError('invalid', 'invalid_field', `${field} must say why, in 1–500 characters`, field);
  return text;
}

function keyText(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (value.length < 1 || value.length > 200) throw new DomainError('invalid', 'invalid_field', 'Idempotency-Key must be 1–200 characters', 'idempotencyKey');
  return value;
}

function needOperator(ctx: ActionContext): void {
  if (!allows(ctx.caller.role, 'operator') || ctx.caller.mustEnrol) throw new DomainError('forbidden', 'forbidden', 'Refunds need the operator role');
}

/** One person, however they came in (a session or their API key); the shared ADMIN_TOKEN is one person too. */
const samePerson = (row: RefundRow, ctx: ActionContext) =>
  row.requestedById !== null && ctx.caller.personId !== null ? row.requestedById === ctx.caller.personId : row.requestedBy === ctx.caller.email;

type RequestFields = Omit<RefundRow, 'state' | 'approvedBy' | 'declinedBy' | 'declineReason' | 'movementId' | 'payoutReducedMinor' | 'createdAt' | 'updatedAt' | 'expiresAt'>;

/** A request lost a race to another one at once: one open refund per order, one refund per idempotency key. */
function isRefundClash(error: unknown): boolean {
  return isUniqueViolation(error, { table: 'refunds', columns: ['order_id'] }) || isUniqueViolation(error, { table: 'refunds', columns: ['idempotency_key'] });
}

export function createRefunds(options: RefundsOptions): Refunds {
  const { sql, checkout, audit, settings, log } = options;
  const clock = options.clock ?? Date.now;
  const refunds = new RefundStore(sql);
  const orders = new OrderStore(sql);
  /** Both stores on a transaction's executor: every statement inside it must run on `tx`. */
  const within = (tx: Sql) => ({ store: refunds.in(tx), orders: orders.in(tx) });
  let sweep: NodeJS.Timeout | null = null;

  const view = async (row: RefundRow): Promise<RefundView> => {
    const found = row.movementId === null ? undefined : await orders.movements.byId(row.movementId);
    const movement = found?.kind === 'refund' ? found : undefined;
    return {
      id: row.id, orderId: row.orderId, state: row.state, amountMinor: row.amountMinor, amount: toDecimalString(row.amountMinor, row.currency),
      currency: row.currency, sellerPartMinor: row.sellerPartMinor, platformPartMinor: row.platformPartMinor, fromSuspense: row.fromSuspense,
      reason: row.reason, requestedBy: row.requestedBy, approvedBy: row.approvedBy, declinedBy: row.declinedBy, declineReason: row.declineReason,
      createdAt: row.createdAt, updatedAt: row.updatedAt, expiresAt: row.expiresAt,
      movement: movement
        ? { referenceId: movement.referenceId, status: movement.status, reason: movement.reason, financialTransactionId: movement.financialTransactionId }
        : null,
    };
  };

  const viewOf = async (refundId: string): Promise<RefundView> => view((await refunds.byId(refundId))!);
  const views = (rows: RefundRow[]): Promise<RefundView[]> => Promise.all(rows.map(view));

  /** The order a request names, read with `from` (the request's transaction). */
  const orderOf = async (from: OrderStore, orderId: string): Promise<OrderRow> => {
    const order = UUID.test(orderId) ? await from.order(orderId.toLowerCase()) : undefined;
    if (!order) throw new DomainError('not_found', 'order_not_found', 'No order with this id');
    return order;
  };

  const refundOf = async (refundId: string): Promise<RefundRow> => {
    const row = UUID.test(refundId) ? await refunds.byId(refundId.toLowerCase()) : undefined;
    if (!row) throw new DomainError('not_found', 'refund_not_found', 'No refund with this id');
    return row;
  };

  /** The same key again: the same refund if it asked for the same thing, else a conflict. */
  const replay = async (store: RefundStore, key: string | null, orderId: string, amountMinor: number | null): Promise<RefundRow | undefined> => {
    if (key === null) return undefined;
    const earlier = await store.byKey(key);
    if (!earlier) return undefined;
    if (earlier.orderId !== orderId || (amountMinor !== null && earlier.amountMinor !== amountMinor) || (amountMinor === null) !== earlier.fromSuspense) {
      throw new DomainError('conflict', 'idempotency_key_reused', 'This Idempotency-Key was used for another refund', 'idempotencyKey');
    }
    return earlier;
  };

  /**
   * Refuses while the order has an open refund, unless it is this key's own: on PostgreSQL (READ
   * COMMITTED) each statement reads what is committed when it starts, so a request with the same
   * key may have committed after `replay` looked and before this read. Then it is replayed.
   */
  const refuseIfOpen = async (store: RefundStore, orderId: string, key: string | null, amountMinor: number | null): Promise<RefundRow | undefined> => {
    const open = await store.openOf(orderId);
    if (!open) return undefined;
    const earlier = await replay(store, key, orderId, amountMinor);
    if (earlier) return earlier;
    throw new DomainError('conflict', 'refund_open', `This order already has a refund ${open.state === 'approved' ? 'on its way' : 'waiting for approval'}; wait until it is final`);
  };

  /**
   * Inside the approval's transaction: the refund movement is written (reference first), and the
   * seller's part taken back from their payout if it has not left: reduced, or cancelled when it
   * is all of it. A payout that is sending or pending may be in flight and is never touched. All
   * of it is one transaction: a claw-back never lands without its approval, nor the other way.
   */
  const approveNow = async (tx: Sql, row: RefundRow, approvedBy: string | null, now: number): Promise<number> => {
    assertRefundMove(row.state, 'approved');
    const { store, orders } = within(tx);
    const order = (await orders.order(row.orderId))!;
    const collection = (await orders.movements.of(row.orderId, 'collection'))!;
    const { id: movementId } = await orders.movements.insert({
      orderId: row.orderId, kind: 'refund', provider: collection.provider, partyMsisdn: collection.partyMsisdn,
      amountMinor: row.amountMinor, currency: row.currency, referenceId: randomUUID(),
    }, checkout.sendLease(now), now);
    // Thrown, it undoes the movement's insert with the rest: a refund decided meanwhile leaves none behind.
    if (!(await store.approve(row, approvedBy, movementId, now))) throw new DomainError('conflict', 'refund_not_pending', 'This refund was decided meanwhile');
    const payout = await orders.movements.of(row.orderId, 'payout');
    const notLeft = payout && (payout.status === 'waiting_funds' || payout.status === 'retry_wait' || payout.status === 'failed');
    if (row.sellerPartMinor === 0 || !payout || !notLeft) return movementId;
    if (payout.amountMinor > row.sellerPartMinor) {
      if (await store.reducePayout(payout.id, row.sellerPartMinor, now)) await store.recordPayoutReduced(row.id, row.sellerPartMinor);
      return movementId;
    }
    assertMovementMove('payout', payout.status, 'cancelled');
    if (await store.cancelPayout(payout.id, payout.status, row.orderId, now)) {
      await store.recordPayoutReduced(row.id, payout.amountMinor);
      // Nothing is left to pay this seller for this order: it is settled.
      if (order.status === 'payout_failed') {
        assertOrderMove('payout_failed', 'paid');
        await orders.moveOrder(order.id, 'payout_failed', 'paid', now, 'payout taken back by a full refund');
      }
      assertOrderMove('paid', 'settled');
      await orders.moveOrder(order.id, 'paid', 'settled', now, 'payout taken back by a full refund');
    }
    return movementId;
  };

  /**
   * Checks and writes a request in one transaction, audited, and approves it at once at or below
   * the threshold; sends it once committed. `check` answers an earlier request with the same key,
   * or the fields of a new one.
   *
   * On SQLite two requests at once cannot both pass the checks (one writer at a time). On
   * PostgreSQL (READ COMMITTED, several instances) they can: both see no open refund, and the
   * second insert meets a unique index, refunds_one_open or the idempotency key, which rolls its
   * transaction back. Checked once more, it sees the first one's refund and answers as any later
   * request would: the same refund for the same key, else 409 refund_open.
   */
  const open = async (ctx: ActionContext, check: (stores: ReturnType<typeof within>) => Promise<RefundRow | RequestFields>): Promise<RefundView> => {
    try {
      return await openOnce(ctx, check);
    } catch (error) {
      if (!isRefundClash(error)) throw error;
    }
    try {
      return await openOnce(ctx, check);
    } catch (error) {
      if (isRefundClash(error)) throw new DomainError('conflict', 'refund_open', 'Another refund of this order was asked for at the same moment; look at its refunds and try again');
      throw error;
    }
  };

  const openOnce = async (ctx: ActionContext, check: (stores: ReturnType<typeof within>) => Promise<RefundRow | RequestFields>): Promise<RefundView> => {
    const now = clock();
    type Done = { earlier: RefundRow } | { fields: RequestFields; alone: boolean; movementId: number | null };
    const done = await refunds.transaction(async (store, tx): Promise<Done> => {
      const checked = await check(within(tx));
      if ('state' in checked) return { earlier: checked };
      const fields = checked;
      const alone = fields.amountMinor <= (settings.approvalThresholdMinor.get(fields.currency) ?? 0);
      await store.insert({ ...fields, state: 'pending_approval', createdAt: now, expiresAt: now + REFUND_REQUEST_TTL_MS });
      await audit(ctx, { action: 'refund.request', objectType: 'order', objectId: fields.orderId, after: { refundId: fields.id, amountMinor: fields.amountMinor, currency: fields.currency, reason: fields.reason } }, tx);
      const movementId = alone ? await approveNow(tx, (await store.byId(fields.id))!, null, now) : null;
      return { fields, alone, movementId };
    });
    if ('earlier' in done) return view(done.earlier);
    const { fields, alone, movementId } = done;
    log.info('refund.requested', { orderId: fields.orderId, refundId: fields.id, amountMinor: fields.amountMinor, needsApproval: !alone });
    if (movementId !== null) checkout.sendMovement(movementId);
    return viewOf(fields.id);
  };

  const expireDue = async (): Promise<number> => {
    const expired = await refunds.expireDue(clock());
    for (const row of expired) log.info('refund.expired', { orderId: row.orderId, refundId: row.id });
    return expired.length;
  };

  const sweepNow = () => {
    expireDue().catch((error: unknown) => log.warn('refund.expiry_failed', { error: String(error) }));
  };

  return {
    async request(ctx, orderId, input, idempotencyKey) {
      needOperator(ctx);
      const amountMinor = input.amountMinor;
      if (typeof amountMinor !== 'number' || !Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
        throw new DomainError('invalid', 'invalid_field', 'amountMinor must be a positive whole number of minor units', 'amountMinor');
      }
      const reason = reasonText(input.reason);
      const key = keyText(idempotencyKey);
      return open(ctx, async ({ store, orders }) => {
        const order = await orderOf(orders, orderId);
        const earlier = await replay(store, key, order.id, amountMinor);
        if (earlier) return earlier;
        if (!['paid', 'settled', 'payout_failed'].includes(order.status)) {
          const hint = order.status === 'failed' ? ': money that arrived against a failed order is refunded whole, from suspense' : '';
          throw new DomainError('refused', 'order_not_refundable', `Only a paid or settled order can be refunded; this one is ${order.status}${hint}`);
        }
        const raced = await refuseIfOpen(store, order.id, key, amountMinor);
        if (raced) return raced;
        const soFar = await store.totals(order.id);
        const left = order.amountMinor - soFar.amountMinor;
        if (amountMinor > left) {
          throw new DomainError('refused', 'refund_too_large', `amountMinor must be at most ${left}: ${order.amountMinor} was collected and ${soFar.amountMinor} already refunded`, 'amountMinor');
        }
        const parts = splitRefund({ amountMinor: order.amountMinor, sellerMinor: order.sellerAmountMinor, platformMinor: order.platformAmountMinor }, soFar, amountMinor);
        return {
          id: randomUUID(), orderId: order.id, sellerId: order.sellerId, amountMinor, currency: order.currency, sellerPartMinor: parts.sellerMinor, platformPartMinor: parts.platformMinor,
          fromSuspense: false, reason, requestedBy: ctx.caller.email, requestedById: ctx.caller.personId, idempotencyKey: key,
        };
      });
    },

    async requestSuspense(ctx, orderId, input, idempotencyKey) {
      needOperator(ctx);
      const reason = reasonText(input.reason);
      const key = keyText(idempotencyKey);
      return open(ctx, async ({ store, orders }) => {
        const order = await orderOf(orders, orderId);
        const earlier = await replay(store, key, order.id, null);
        if (earlier) return earlier;
        const collection = (await orders.movements.of(order.id, 'collection'))!;
        const held = order.status === 'failed' ? await store.suspenseOf(collection.id) : undefined;
        if (!held) throw new DomainError('refused', 'nothing_in_suspense', 'No money arrived against this order after it failed; a paid order is refunded by amount');
        const raced = await refuseIfOpen(store, order.id, key, null);
        if (raced) return raced;
        if ((await store.ofOrder(order.id)).some((r) => r.fromSuspense && (r.state === 'refunded' || r.state === 'approved'))) {
          throw new DomainError('conflict', 'already_refunded', 'The money held for this order was already refunded');
        }
        return {
          id: randomUUID(), orderId: order.id, sellerId: order.sellerId, amountMinor: held.amountMinor, currency: held.currency, sellerPartMinor: 0, platformPartMinor: 0,
          fromSuspense: true, reason, requestedBy: ctx.caller.email, requestedById: ctx.caller.personId, idempotencyKey: key,
        };
      });
    },

    async approve(ctx, refundId) {
      needOperator(ctx);
      await expireDue();
      const row = await refundOf(refundId);
      const refuse = async (error: DomainError): Promise<never> => {
        await audit(ctx, { action: 'refund.approve', objectType: 'refund', objectId: row.id, before: { state: row.state }, outcome: 'refused' }, sql);
        throw error;
      };
      if (row.state !== 'pending_approval') await refuse(new DomainError('conflict', 'refund_not_pending', `Only a refund waiting for approval can be approved; this one is ${row.state}`));
      if (samePerson(row, ctx)) await refuse(new DomainError('forbidden', 'own_refund', 'A second person must approve a refund: you asked for this one'));
      const movementId = await refunds.transaction(async (_store, tx) => {
        const id = await approveNow(tx, row, ctx.caller.email, clock());
        await audit(ctx, { action: 'refund.approve', objectType: 'refund', objectId: row.id, before: { state: row.state }, after: { state: 'approved', amountMinor: row.amountMinor, currency: row.currency } }, tx);
        return id;
      });
      log.info('refund.approved', { orderId: row.orderId, refundId: row.id });
      checkout.sendMovement(movementId);
      return viewOf(row.id);
    },

    async decline(ctx, refundId, input) {
      needOperator(ctx);
      const reason = reasonText(input.reason);
      await expireDue();
      const row = await refundOf(refundId);
      if (row.state !== 'pending_approval') {
        await audit(ctx, { action: 'refund.decline', objectType: 'refund', objectId: row.id, before: { state: row.state }, outcome: 'refused' }, sql);
        throw new DomainError('conflict', 'refund_not_pending', `Only a refund waiting for approval can be declined; this one is ${row.state}`);
      }
      assertRefundMove(row.state, 'declined');
      await refunds.transaction(async (store, tx) => {
        if (!(await store.decline(row, ctx.caller.email, reason, clock()))) throw new DomainError('conflict', 'refund_not_pending', 'This refund was decided meanwhile');
        await audit(ctx, { action: 'refund.decline', objectType: 'refund', objectId: row.id, before: { state: row.state }, after: { state: 'declined', reason } }, tx);
      });
      return viewOf(row.id);
    },

    async ofOrder(orderId) {
      const order = UUID.test(orderId) ? await orders.order(orderId.toLowerCase()) : undefined;
      return order ? views(await refunds.ofOrder(order.id)) : undefined;
    },

    async get(refundId) {
      const row = UUID.test(refundId) ? await refunds.byId(refundId.toLowerCase()) : undefined;
      return row ? view(row) : undefined;
    },

    awaitingApproval: async (limit = 100) => views(await refunds.awaitingApproval(limit)),

    async refundable(orderId) {
      const order = UUID.test(orderId) ? await orders.order(orderId.toLowerCase()) : undefined;
      if (!order || (await refunds.openOf(order.id))) return null;
      if (order.status === 'failed') {
        const held = await refunds.suspenseOf((await orders.movements.of(order.id, 'collection'))!.id);
        const given = (await refunds.ofOrder(order.id)).some((r) => r.fromSuspense && r.state === 'refunded');
        return held && !given ? { ...held, fromSuspense: true } : null;
      }
      if (!['paid', 'settled', 'payout_failed'].includes(order.status)) return null;
      const left = order.amountMinor - (await refunds.totals(order.id)).amountMinor;
      return left > 0 ? { amountMinor: left, currency: order.currency, fromSuspense: false } : null;
    },

    owingSellers: () => refunds.owingSince(clock() - settings.clawbackAlertDays * 24 * 3600 * 1000),
    expireDue,

    start() {
      sweepNow();
      sweep ??= setInterval(sweepNow, EXPIRY_SWEEP_MS).unref();
    },
    stop() {
      if (sweep) clearInterval(sweep);
      sweep = null;
    },
  };
}
