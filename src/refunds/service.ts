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
import { RefundStore, SyncOrderStore, type Database, type OrderRow, type OwingSeller, type RefundRow, type RefundStatus } from '../db';
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
  db: Database;
  checkout: Pick<Checkout, 'sendLease' | 'sendMovement'>;
  /** The accounts' audit log: approve, decline and request are written there. */
  audit: (ctx: ActionContext, event: AuditEvent) => void;
  settings: RefundSettings;
  log: Logger;
  clock?: () => number;
}

export interface Refunds {
  /** Asks for a refund of `amountMinor` of a paid, settled or payout_failed order, with a reason; the same idempotency key returns the same refund. */
  request(ctx: ActionContext, orderId: string, input: { amountMinor?: unknown; reason?: unknown }, idempotencyKey?: string | null): RefundView;
  /** Asks for a refund of all the money that arrived against a failed order (held in suspense); the same rules. */
  requestSuspense(ctx: ActionContext, orderId: string, input: { reason?: unknown }, idempotencyKey?: string | null): RefundView;
  /** A second operator or owner approves a pending request: it is sent at once. */
  approve(ctx: ActionContext, refundId: string): RefundView;
  /** An operator or owner declines a pending request, saying why. */
  decline(ctx: ActionContext, refundId: string, input: { reason?: unknown }): RefundView;
  /** An order's refunds, oldest first; undefined when there is no such order. */
  ofOrder(orderId: string): RefundView[] | undefined;
  get(refundId: string): RefundView | undefined;
  /** Requests waiting for a second person, nearest expiry first (at most `limit`, default 100). */
  awaitingApproval(limit?: number): RefundView[];
  /**
   * What can be asked for now: for a paid order, what was collected less the refunds given or on
   * their way; for a failed order, the money held in suspense. Null while a refund is open or
   * when there is nothing to give back.
   */
  refundable(orderId: string): { amountMinor: number; currency: string; fromSuspense: boolean } | null;
  /** Sellers still owing a claw-back after CLAWBACK_ALERT_DAYS (Needs attention). */
  owingSellers(): OwingSeller[];
  /** Expires pending requests older than 7 days; returns how many. */
  expireDue(): number;
  /** Starts and stops the expiry sweep. */
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

export function createRefunds(options: RefundsOptions): Refunds {
  const { db, checkout, audit, settings, log } = options;
  const clock = options.clock ?? Date.now;
  const store = new RefundStore(db);
  const orders = new SyncOrderStore(db);
  let sweep: NodeJS.Timeout | null = null;

  const view = (row: RefundRow): RefundView => {
    const found = row.movementId === null ? undefined : store.movements.byId(row.movementId);
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

  const orderOf = (orderId: string): OrderRow => {
    const order = UUID.test(orderId) ? orders.order(orderId.toLowerCase()) : undefined;
    if (!order) throw new DomainError('not_found', 'order_not_found', 'No order with this id');
    return order;
  };

  const refundOf = (refundId: string): RefundRow => {
    const row = UUID.test(refundId) ? store.byId(refundId.toLowerCase()) : undefined;
    if (!row) throw new DomainError('not_found', 'refund_not_found', 'No refund with this id');
    return row;
  };

  /** The same key again: the same refund if it asked for the same thing, else a conflict. */
  const replay = (key: string | null, orderId: string, amountMinor: number | null): RefundRow | undefined => {
    if (key === null) return undefined;
    const earlier = store.byKey(key);
    if (!earlier) return undefined;
    if (earlier.orderId !== orderId || (amountMinor !== null && earlier.amountMinor !== amountMinor) || (amountMinor === null) !== earlier.fromSuspense) {
      throw new DomainError('conflict', 'idempotency_key_reused', 'This Idempotency-Key was used for another refund', 'idempotencyKey');
    }
    return earlier;
  };

  const refuseIfOpen = (orderId: string) => {
    const open = store.openOf(orderId);
    if (open) throw new DomainError('conflict', 'refund_open', `This order already has a refund ${open.state === 'approved' ? 'on its way' : 'waiting for approval'}; wait until it is final`);
  };

  /**
   * Inside the approval's transaction: the refund movement is written (reference first), and the
   * seller's part taken back from their payout if it has not left: reduced, or cancelled when it
   * is all of it. A payout that is sending or pending may be in flight and is never touched.
   */
  const approveNow = (row: RefundRow, approvedBy: string | null, now: number): number => {
    assertRefundMove(row.state, 'approved');
    const order = orders.order(row.orderId)!;
    const collection = store.movements.of(row.orderId, 'collection')!;
    const referenceId = randomUUID();
    const approved = store.approve(row, approvedBy, {
      orderId: row.orderId, kind: 'refund', provider: collection.provider, partyMsisdn: collection.partyMsisdn,
      amountMinor: row.amountMinor, currency: row.currency, referenceId,
    }, checkout.sendLease(now), now);
    if (!approved) throw new DomainError('conflict', 'refund_not_pending', 'This refund was decided meanwhile');
    const payout = store.movements.of(row.orderId, 'payout');
    const notLeft = payout && (payout.status === 'waiting_funds' || payout.status === 'retry_wait' || payout.status === 'failed');
    if (row.sellerPartMinor === 0 || !payout || !notLeft) return movementIdOf(row.id);
    if (payout.amountMinor > row.sellerPartMinor) {
      if (store.reducePayout(payout.id, row.sellerPartMinor, now)) store.recordPayoutReduced(row.id, row.sellerPartMinor);
      return movementIdOf(row.id);
    }
    assertMovementMove('payout', payout.status, 'cancelled');
    if (store.cancelPayout(payout.id, payout.status, row.orderId, now)) {
      store.recordPayoutReduced(row.id, payout.amountMinor);
      // Nothing is left to pay this seller for this order: it is settled.
      if (order.status === 'payout_failed') {
        assertOrderMove('payout_failed', 'paid');
        orders.moveOrder(order.id, 'payout_failed', 'paid', now, 'payout taken back by a full refund');
      }
      assertOrderMove('paid', 'settled');
      orders.moveOrder(order.id, 'paid', 'settled', now, 'payout taken back by a full refund');
    }
    return movementIdOf(row.id);
  };

  const movementIdOf = (refundId: string): number => store.byId(refundId)!.movementId!;

  /** Writes the request (and approves it at once at or below the threshold), audited; sends it once committed. */
  const open = (ctx: ActionContext, fields: Omit<RefundRow, 'state' | 'approvedBy' | 'declinedBy' | 'declineReason' | 'movementId' | 'payoutReducedMinor' | 'createdAt' | 'updatedAt' | 'expiresAt'>): RefundView => {
    const now = clock();
    const threshold = settings.approvalThresholdMinor.get(fields.currency) ?? 0;
    const alone = fields.amountMinor <= threshold;
    const movementId = store.transaction(() => {
      store.insert({ ...fields, state: 'pending_approval', createdAt: now, expiresAt: now + REFUND_REQUEST_TTL_MS });
      audit(ctx, { action: 'refund.request', objectType: 'order', objectId: fields.orderId, after: { refundId: fields.id, amountMinor: fields.amountMinor, currency: fields.currency, reason: fields.reason } });
      return alone ? approveNow(store.byId(fields.id)!, null, now) : null;
    });
    log.info('refund.requested', { orderId: fields.orderId, refundId: fields.id, amountMinor: fields.amountMinor, needsApproval: !alone });
    if (movementId !== null) checkout.sendMovement(movementId);
    return view(store.byId(fields.id)!);
  };

  const expireDue = (): number => {
    const expired = store.expireDue(clock());
    for (const row of expired) log.info('refund.expired', { orderId: row.orderId, refundId: row.id });
    return expired.length;
  };

  return {
    request(ctx, orderId, input, idempotencyKey) {
      needOperator(ctx);
      const amountMinor = input.amountMinor;
      if (typeof amountMinor !== 'number' || !Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
        throw new DomainError('invalid', 'invalid_field', 'amountMinor must be a positive whole number of minor units', 'amountMinor');
      }
      const reason = reasonText(input.reason);
      const key = keyText(idempotencyKey);
      const order = orderOf(orderId);
      const earlier = replay(key, order.id, amountMinor);
      if (earlier) return view(earlier);
      if (!['paid', 'settled', 'payout_failed'].includes(order.status)) {
        const hint = order.status === 'failed' ? ': money that arrived against a failed order is refunded whole, from suspense' : '';
        throw new DomainError('refused', 'order_not_refundable', `Only a paid or settled order can be refunded; this one is ${order.status}${hint}`);
      }
      refuseIfOpen(order.id);
      const soFar = store.totals(order.id);
      const left = order.amountMinor - soFar.amountMinor;
      if (amountMinor > left) {
        throw new DomainError('refused', 'refund_too_large', `amountMinor must be at most ${left}: ${order.amountMinor} was collected and ${soFar.amountMinor} already refunded`, 'amountMinor');
      }
      const parts = splitRefund({ amountMinor: order.amountMinor, sellerMinor: order.sellerAmountMinor, platformMinor: order.platformAmountMinor }, soFar, amountMinor);
      return open(ctx, {
        id: randomUUID(), orderId: order.id, sellerId: order.sellerId, amountMinor, currency: order.currency, sellerPartMinor: parts.sellerMinor, platformPartMinor: parts.platformMinor,
        fromSuspense: false, reason, requestedBy: ctx.caller.email, requestedById: ctx.caller.personId, idempotencyKey: key,
      });
    },

    requestSuspense(ctx, orderId, input, idempotencyKey) {
      needOperator(ctx);
      const reason = reasonText(input.reason);
      const key = keyText(idempotencyKey);
      const order = orderOf(orderId);
      const earlier = replay(key, order.id, null);
      if (earlier) return view(earlier);
      const collection = store.movements.of(order.id, 'collection')!;
      const held = order.status === 'failed' ? store.suspenseOf(collection.id) : undefined;
      if (!held) throw new DomainError('refused', 'nothing_in_suspense', 'No money arrived against this order after it failed; a paid order is refunded by amount');
      refuseIfOpen(order.id);
      if (store.ofOrder(order.id).some((r) => r.fromSuspense && (r.state === 'refunded' || r.state === 'approved'))) {
        throw new DomainError('conflict', 'already_refunded', 'The money held for this order was already refunded');
      }
      return open(ctx, {
        id: randomUUID(), orderId: order.id, sellerId: order.sellerId, amountMinor: held.amountMinor, currency: held.currency, sellerPartMinor: 0, platformPartMinor: 0,
        fromSuspense: true, reason, requestedBy: ctx.caller.email, requestedById: ctx.caller.personId, idempotencyKey: key,
      });
    },

    approve(ctx, refundId) {
      needOperator(ctx);
      expireDue();
      const row = refundOf(refundId);
      const refuse = (error: DomainError): never => {
        audit(ctx, { action: 'refund.approve', objectType: 'refund', objectId: row.id, before: { state: row.state }, outcome: 'refused' });
        throw error;
      };
      if (row.state !== 'pending_approval') refuse(new DomainError('conflict', 'refund_not_pending', `Only a refund waiting for approval can be approved; this one is ${row.state}`));
      if (samePerson(row, ctx)) refuse(new DomainError('forbidden', 'own_refund', 'A second person must approve a refund: you asked for this one'));
      const movementId = store.transaction(() => {
        const id = approveNow(row, ctx.caller.email, clock());
        audit(ctx, { action: 'refund.approve', objectType: 'refund', objectId: row.id, before: { state: row.state }, after: { state: 'approved', amountMinor: row.amountMinor, currency: row.currency } });
        return id;
      });
      log.info('refund.approved', { orderId: row.orderId, refundId: row.id });
      checkout.sendMovement(movementId);
      return view(store.byId(row.id)!);
    },

    decline(ctx, refundId, input) {
      needOperator(ctx);
      const reason = reasonText(input.reason);
      expireDue();
      const row = refundOf(refundId);
      if (row.state !== 'pending_approval') {
        audit(ctx, { action: 'refund.decline', objectType: 'refund', objectId: row.id, before: { state: row.state }, outcome: 'refused' });
        throw new DomainError('conflict', 'refund_not_pending', `Only a refund waiting for approval can be declined; this one is ${row.state}`);
      }
      assertRefundMove(row.state, 'declined');
      store.transaction(() => {
        if (!store.decline(row, ctx.caller.email, reason, clock())) throw new DomainError('conflict', 'refund_not_pending', 'This refund was decided meanwhile');
        audit(ctx, { action: 'refund.decline', objectType: 'refund', objectId: row.id, before: { state: row.state }, after: { state: 'declined', reason } });
      });
      return view(store.byId(row.id)!);
    },

    ofOrder(orderId) {
      const order = UUID.test(orderId) ? orders.order(orderId.toLowerCase()) : undefined;
      return order ? store.ofOrder(order.id).map(view) : undefined;
    },

    get(refundId) {
      const row = UUID.test(refundId) ? store.byId(refundId.toLowerCase()) : undefined;
      return row ? view(row) : undefined;
    },

    awaitingApproval: (limit = 100) => store.awaitingApproval(limit).map(view),

    refundable(orderId) {
      const order = UUID.test(orderId) ? orders.order(orderId.toLowerCase()) : undefined;
      if (!order || store.openOf(order.id)) return null;
      if (order.status === 'failed') {
        const held = store.suspenseOf(store.movements.of(order.id, 'collection')!.id);
        const given = store.ofOrder(order.id).some((r) => r.fromSuspense && r.state === 'refunded');
        return held && !given ? { ...held, fromSuspense: true } : null;
      }
      if (!['paid', 'settled', 'payout_failed'].includes(order.status)) return null;
      const left = order.amountMinor - store.totals(order.id).amountMinor;
      return left > 0 ? { amountMinor: left, currency: order.currency, fromSuspense: false } : null;
    },

    owingSellers: () => store.owingSince(clock() - settings.clawbackAlertDays * 24 * 3600 * 1000),
    expireDue,

    start() {
      expireDue();
      sweep ??= setInterval(() => {
        try {
          expireDue();
        } catch (error) {
          log.warn('refund.expiry_failed', { error: String(error) });
        }
      }, EXPIRY_SWEEP_MS).unref();
    },
    stop() {
      if (sweep) clearInterval(sweep);
      sweep = null;
    },
  };
}
