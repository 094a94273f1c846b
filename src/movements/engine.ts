// The one code path that moves money, for every kind of movement: send with the reference
// stored first, read until final, send again with the same reference when the answer was lost,
// back off, and finalise. What a kind does when it turns SUCCESSFUL or FAILED is its handler's.
// The rules that keep money safe:
// - only a status read decides anything; a callback merely makes the read happen sooner;
// - SUCCESSFUL counts only for exactly the amount and currency asked for;
// - a create whose answer was lost is settled by reading its reference: not found → send it
//   again with the same reference; found → follow it;
// - a new attempt (new reference) starts only once the previous one is known FAILED.
import { randomUUID } from 'node:crypto';
import type { WorkerSettings } from '../config';
import type { Lease, Movement, MovementChange, MovementKind, MovementOf, MovementStore, Sql } from '../db';
import type { Logger } from '../log';
import { parseDecimal } from '../money';
import {
  AMOUNT_MISMATCH, ProviderError, SEND_DEADLINE, sokoniReasons, type ProviderRegistry, type ProviderTransaction, type ReasonInfo,
} from '../providers';
import { afterFailedReadDelay, isStuck, nextCheckDelay } from './schedule';
import { assertMovementMove } from './states';

/** What a kind of movement means to the business around it. */
export interface KindHandler<K extends MovementKind> {
  /** The movement's name in logs. */
  label: string;
  /** References tried before a retryable failure stops for a person; 1: never retried. */
  maxAttempts: number;
  /** How soon to read once the provider has accepted the create. */
  firstCheckMs(settings: WorkerSettings): number;
  /**
   * What a create for this movement carries to the payer and the payee, and the earliest time it
   * may leave (e.g. a payout to a seller's newly changed number is held), null when it may leave
   * now. Read once at each send, so a hold set or ended meanwhile counts. A held movement stays
   * `sending`, unsent, and is looked at again when the hold ends, or sooner when something makes
   * it due.
   */
  sendPlan(movement: MovementOf<K>): Promise<SendPlan>;
  /**
   * Runs inside the transaction that marks the movement SUCCESSFUL, on its `tx`; returns the
   * movements it wrote (each held by `lease`), which are sent once that transaction has committed.
   */
  succeeded(tx: Sql, movement: MovementOf<K>, now: number, lease: Lease): Promise<Movement[]>;
  /**
   * Runs inside the transaction that marks the movement failed for good, on its `tx`. `moved`: the
   * provider says it went through, but not for what was asked (AMOUNT_MISMATCH), so money did move.
   */
  failed(tx: Sql, movement: MovementOf<K>, reason: string, now: number, moved?: Moved): Promise<void>;
  /**
   * How long after its creation the provider must have accepted the movement; past it, no create
   * leaves for it again and it is abandoned (a payer has stopped waiting). Absent: no deadline.
   */
  sendDeadlineMs?(settings: WorkerSettings): number;
  /** Runs inside the transaction that abandons the movement at its send deadline, on its `tx`. */
  abandoned?(tx: Sql, movement: MovementOf<K>, now: number): Promise<void>;
  /** An abandoned movement turned SUCCESSFUL after all (inside that transaction): money moved that its order will not use. */
  arrivedLate?(tx: Sql, movement: MovementOf<K>, moved: Moved, now: number): Promise<void>;
  /** A lack of funds waits for the balance instead of spending attempts (payouts). */
  waitsForFunds?: boolean;
  /** The party a new attempt goes to: a payee's number may have changed since the last one. */
  partyFor?(movement: MovementOf<K>): Promise<string>;
  /** A refund's: the reference of the movement attempt whose money it gives back. */
  refundOf?(movement: MovementOf<K>): Promise<string>;
}

/** What a send carries and when it may leave (`KindHandler.sendPlan`). */
export interface SendPlan {
  payerMessage: string;
  payeeNote: string;
  /** Null or past: it may leave now. */
  notBefore: number | null;
}

export type HandlerTable = { readonly [K in MovementKind]: KindHandler<K> };

export interface EngineDeps {
  /** The database: the engine's transactions, and when what they wrote is committed. */
  sql: Sql;
  store: MovementStore;
  providers: ProviderRegistry;
  handlers: HandlerTable;
  settings: WorkerSettings;
  log: Logger;
  clock: () => number;
  /** The callback URL for a reference, or null to rely on polling alone. */
  callbackUrl: (referenceId: string) => string | null;
  /** How long a create call may take before the worker reads its reference itself. */
  sendGraceMs: number;
  /** This process's name on the leases it takes. */
  holder: string;
  /** Called after every committed change of an order's movements. */
  changed: (orderId: string) => void;
  /** Tells the worker a check is due at `at`, in case it planned to sleep past it. */
  wake: (at: number) => void;
}

/** What a provider says moved, when it differs from what was asked. */
export interface Moved {
  amountMinor: number;
  currency: string;
}

type Change = Omit<MovementChange, 'from' | 'nextCheckAt'> & { nextCheckAt?: number | null };

function asProviderError(error: unknown): ProviderError {
  return error instanceof ProviderError ? error : new ProviderError('unknown', 'UNEXPECTED', String(error));
}

function matches(tx: ProviderTransaction, movement: Movement): boolean {
  return tx.amountMinor === movement.amountMinor && tx.currency === movement.currency;
}

/** The disbursement balance as last read, less what has been sent against it since. */
interface FundsView {
  readAt: number;
  availableMinor: number;
  currency: string;
  /** The movements sent again on the strength of this reading. */
  released: Set<number>;
}

export class MovementEngine {
  private readonly funds = new Map<string, FundsView>();

  constructor(private readonly deps: EngineDeps) {}

  private handler(movement: Movement): KindHandler<MovementKind> {
    return this.deps.handlers[movement.kind];
  }

  /** The lease a new create call is sent under. */
  sendLease(now: number): Lease {
    return { holder: this.deps.holder, until: now + this.deps.sendGraceMs };
  }

  /** What a reason code means for this movement; a final movement is judged as of when it became final. */
  reasonOf(movement: Movement, code: string): ReasonInfo {
    const ownReason = sokoniReasons.get(code);
    if (ownReason) return ownReason;
    const open = movement.status === 'sending' || movement.status === 'pending';
    const pendingForMs = (open ? this.deps.clock() : movement.updatedAt) - (movement.acceptedAt ?? movement.createdAt);
    return this.deps.providers.get(movement.provider).reasonOf(code, { pendingForMs });
  }

  /**
   * Moves a movement and, in the same transaction, runs `effect` (the order's side of it);
   * false if someone moved the movement first.
   */
  async move(movement: Movement, change: Change, effect?: (tx: Sql) => Promise<unknown>): Promise<boolean> {
    const { sql, store, clock } = this.deps;
    assertMovementMove(movement.kind, movement.status, change.to);
    const ended = await sql.transaction(async (tx) => {
      const end = await store.in(tx).move(movement, { nextCheckAt: null, ...change, from: movement.status }, clock());
      if (end) await effect?.(tx);
      return end;
    });
    if (!ended) return false;
    this.announce(movement.orderId);
    // As written: a callback that came during the step has made it due at once.
    if (ended.nextCheckAt !== null) this.deps.wake(ended.nextCheckAt);
    return true;
  }

  /**
   * Tells watchers (long-polls, event streams) that the order changed, once the change is
   * committed: an answer must never show what a crash could still take back.
   */
  private announce(orderId: string): void {
    this.deps.sql.afterCommit(() => {
      try {
        this.deps.changed(orderId);
      } catch (error) {
        this.deps.log.error('movement.announce_failed', { orderId, error });
      }
    });
  }

  private nextCheckAt(movement: Movement): number {
    const now = this.deps.clock();
    return now + nextCheckDelay(this.deps.settings, movement.checks, now - movement.createdAt);
  }

  private async reschedule(movement: Movement, at = this.nextCheckAt(movement), now = this.deps.clock()): Promise<void> {
    const ended = await this.deps.store.afterRead(movement, at, now);
    if (ended?.nextCheckAt != null) this.deps.wake(ended.nextCheckAt);
  }

  /** When the provider must have accepted this movement by, or null when it has no deadline. */
  private sendDeadline(movement: Movement): number | null {
    const deadlineMs = this.handler(movement).sendDeadlineMs?.(this.deps.settings);
    return deadlineMs === undefined ? null : movement.createdAt + deadlineMs;
  }

  /**
   * Sends a just-written movement's create call with its stored reference, unless its send
   * deadline has passed. The row was written counting this send (`sends` starts at 1), which
   * saves a write per create on the hot path; a crash before it leaves only over-counts.
   */
  async send(movement: Movement): Promise<void> {
    const { providers, settings, log, clock } = this.deps;
    const handler = this.handler(movement);
    const deadline = this.sendDeadline(movement);
    if (deadline !== null && clock() > deadline) {
      await this.abandon(movement);
      return;
    }
    const { notBefore, ...messages } = await handler.sendPlan(movement);
    if (notBefore !== null && clock() < notBefore) {
      log.info(`${handler.label}.held`, { orderId: movement.orderId, until: new Date(notBefore).toISOString() });
      await this.deps.store.uncountSend(movement);
      await this.reschedule(movement, notBefore);
      return;
    }
    const refundOf = handler.refundOf ? { refundOf: await handler.refundOf(movement) } : {};
    // The reference, and the row it belongs to, are committed before the request leaves: a
    // create MoMo has seen must always be found again after a crash (group-commit.ts).
    await this.deps.sql.committed();
    try {
      await providers.get(movement.provider).send({
        kind: movement.kind,
        referenceId: movement.referenceId,
        amountMinor: movement.amountMinor,
        currency: movement.currency,
        partyMsisdn: movement.partyMsisdn,
        externalId: movement.orderId,
        ...messages,
        callbackUrl: this.deps.callbackUrl(movement.referenceId),
        ...refundOf,
      });
    } catch (caught) {
      const error = asProviderError(caught);
      if (error.kind === 'rejected') {
        log.info(`${handler.label}.rejected`, { orderId: movement.orderId, code: error.code, status: error.status });
        await this.failOrRetry(movement, error.code);
        return;
      }
      if (error.kind === 'unknown') {
        log.warn(`${handler.label}.send_unconfirmed`, { orderId: movement.orderId, code: error.code });
        await this.reschedule(movement);
        return;
      }
      // duplicate: an earlier send of this very reference arrived, which is what we wanted.
    }
    await this.move(movement, { to: 'pending', nextCheckAt: clock() + handler.firstCheckMs(settings) });
  }

  /** A due movement: a new attempt if it waits for one (or for funds that have come), else a status read. */
  async check(picked: Movement): Promise<void> {
    if (picked.status === 'retry_wait') return this.retry(picked);
    if (picked.status === 'waiting_funds') return this.retryIfFunded(picked);
    const read = await this.readFinal(picked);
    if (read === null) return;
    const { movement, tx } = read;
    if (movement.status === 'abandoned') {
      await this.settleAbandoned(movement, tx);
      return;
    }
    if (tx.status === 'FAILED') {
      await this.failOrRetry(movement, tx.reason ?? 'FAILED');
      return;
    }
    if (!matches(tx, movement)) {
      this.deps.log.error(`${this.handler(movement).label}.amount_mismatch`, {
        orderId: movement.orderId, expected: `${movement.amountMinor} ${movement.currency}`, got: `${tx.amountMinor} ${tx.currency}`,
      });
      const moved = tx.status === 'SUCCESSFUL' && tx.amountMinor !== null ? { amountMinor: tx.amountMinor, currency: tx.currency } : undefined;
      await this.fail(movement, AMOUNT_MISMATCH, tx.financialTransactionId, moved);
      return;
    }
    await this.succeed(movement, tx);
  }

  /** Reads the status; returns it (with the movement as it is now) once final, or null when the read settled nothing. */
  private async readFinal(picked: Movement): Promise<{ movement: Movement; tx: ProviderTransaction } | null> {
    const { store, log, providers } = this.deps;
    const label = this.handler(picked).label;
    let tx: ProviderTransaction | null;
    try {
      tx = await providers.get(picked.provider).read(picked.kind, picked.referenceId);
    } catch (error) {
      const now = this.deps.clock();
      const retryAt = error instanceof ProviderError ? error.retryAt : null;
      log.warn(`${label}.check_failed`, { orderId: picked.orderId, code: error instanceof ProviderError ? error.code : String(error) });
      await this.reschedule(picked, now + afterFailedReadDelay(this.deps.settings, picked.checks, retryAt, now));
      return null;
    }
    // The row as it is now: a create whose answer outlived its lease may have moved it
    // meanwhile, and a move guarded by the old state would be lost. Only this attempt's answer
    // counts: a new reference means the row has moved on.
    const movement = await store.byId(picked.id);
    const open = movement?.status === 'sending' || movement?.status === 'pending' || movement?.status === 'abandoned';
    if (!movement || movement.referenceId !== picked.referenceId || !open) return null;
    if (movement.status === 'abandoned') {
      if (tx !== null && tx.status !== 'PENDING') return { movement, tx };
      await this.keepWatching(movement);
      return null;
    }
    if (tx === null) {
      if (movement.status === 'sending') {
        // Sent again with the same reference: counted here, as the row's first send was when it was written.
        await this.deps.store.countSend(movement);
        await this.send(movement);
      }
      else {
        // The provider accepted it before, so it must exist: keep reading rather than sending again.
        log.warn(`${label}.not_found_after_accept`, { orderId: movement.orderId });
        await this.reschedule(movement);
      }
      return null;
    }
    if (tx.status !== 'PENDING') return { movement, tx };
    // One moment for the warning and the row's updated_at: judged at one clock reading and
    // written at a later one, a read straddling STUCK_AFTER_S would write a stuck updated_at
    // without warning, and every later read would take the warning as given.
    const now = this.deps.clock();
    this.warnIfStuck(movement, now);
    // The provider has it and it is still PENDING: what was `sending` is known to have arrived.
    if (movement.status === 'sending') await this.move(movement, { to: 'pending', nextCheckAt: this.nextCheckAt(movement) });
    else await this.reschedule(movement, this.nextCheckAt(movement), now);
    return null;
  }

  /** Logged once, by the first read that finds the movement past STUCK_AFTER_S (the read before it was not). */
  private warnIfStuck(movement: Movement, now: number): void {
    const { settings } = this.deps;
    if (isStuck(settings, movement.createdAt, now) && !isStuck(settings, movement.createdAt, movement.updatedAt)) {
      this.deps.log.warn('order.stuck', { orderId: movement.orderId, what: this.handler(movement).label, ageS: Math.round((now - movement.createdAt) / 1000) });
    }
  }

  /** SUCCESSFUL for the right amount: in one transaction mark it and let its handler act; then send what that created. */
  private async succeed(movement: Movement, tx: ProviderTransaction): Promise<void> {
    const { sql, store, clock } = this.deps;
    assertMovementMove(movement.kind, movement.status, 'successful');
    const now = clock();
    const created = await sql.transaction(async (step) => {
      const moved = await store.in(step).move(movement, { from: movement.status, to: 'successful', financialTransactionId: tx.financialTransactionId, nextCheckAt: null }, now);
      return moved ? this.handler(movement).succeeded(step, movement, now, this.sendLease(now)) : null;
    });
    if (created === null) return;
    this.deps.log.info(`${this.handler(movement).label}.successful`, {
      orderId: movement.orderId, amount: `${movement.amountMinor} ${movement.currency}`, financialTransactionId: tx.financialTransactionId,
    });
    this.announce(movement.orderId);
    for (const next of created) await this.send(next);
  }

  /**
   * Known FAILED: wait for funds if that is the reason and the kind waits for them; a new
   * attempt later if the reason allows one and attempts are left (waits for funds do not count);
   * else failed for good.
   */
  private async failOrRetry(movement: Movement, reason: string): Promise<void> {
    const handler = this.handler(movement);
    const info = this.reasonOf(movement, reason);
    if (info.kind === 'not_enough_funds' && handler.waitsForFunds && !this.fundsLookedEnough(movement)) {
      this.deps.log.info(`${handler.label}.waiting_funds`, { orderId: movement.orderId, reason, amountMinor: movement.amountMinor });
      await this.move(movement, { to: 'waiting_funds', reason, nextCheckAt: this.deps.clock() });
      return;
    }
    const retry = info.retryable && movement.attempts - movement.fundsWaits < handler.maxAttempts;
    this.deps.log.info(`${handler.label}.failed`, { orderId: movement.orderId, reason, attempt: movement.attempts, retry });
    if (retry) await this.move(movement, { to: 'retry_wait', reason, nextCheckAt: this.nextCheckAt(movement) });
    else await this.fail(movement, reason, null);
  }

  /**
   * The provider had not accepted it by the send deadline, and a read found nothing: no create
   * leaves for it again, and its handler gives up on it (the order fails: nothing was taken).
   * Its reference is still read until the approval window has surely passed.
   */
  private async abandon(movement: Movement): Promise<void> {
    const now = this.deps.clock();
    const handler = this.handler(movement);
    this.deps.log.warn(`${handler.label}.abandoned`, { orderId: movement.orderId, ageS: Math.round((now - movement.createdAt) / 1000) });
    await this.move(movement, { to: 'abandoned', reason: SEND_DEADLINE, nextCheckAt: this.nextCheckAt(movement) }, (tx) => handler.abandoned?.(tx, movement, now) ?? Promise.resolve());
  }

  /** An abandoned reference still unknown or PENDING: read again later, until its window has surely passed. */
  private async keepWatching(movement: Movement): Promise<void> {
    const { settings, clock } = this.deps;
    // The last create can have arrived no later than the deadline; its approval window, and one
    // slow read more, is when it has surely not happened.
    const watchUntil = (this.sendDeadline(movement) ?? movement.createdAt) + (settings.approvalWindowS + settings.slowCheckS) * 1000;
    if (clock() > watchUntil) await this.move(movement, { to: 'failed', reason: SEND_DEADLINE });
    else await this.reschedule(movement);
  }

  /** An abandoned reference turned final: FAILED is the end; SUCCESSFUL is money that must not be lost. */
  private async settleAbandoned(movement: Movement, tx: ProviderTransaction): Promise<void> {
    if (tx.status !== 'SUCCESSFUL') {
      await this.move(movement, { to: 'failed', reason: tx.reason ?? SEND_DEADLINE });
      return;
    }
    // Its order has failed and moves no further: the successful movement against it is what
    // lists it for an operator to refund.
    const handler = this.handler(movement);
    this.deps.log.error(`${handler.label}.arrived_after_abandon`, {
      orderId: movement.orderId, amount: `${tx.amountMinor} ${tx.currency}`, financialTransactionId: tx.financialTransactionId,
    });
    const now = this.deps.clock();
    const moved = { amountMinor: tx.amountMinor ?? movement.amountMinor, currency: tx.currency };
    await this.move(movement, { to: 'successful', financialTransactionId: tx.financialTransactionId }, (step) => handler.arrivedLate?.(step, movement, moved, now) ?? Promise.resolve());
  }

  /**
   * Whether a fresh read of the balance said it covered this movement: then a lack of funds is
   * not the balance's (a limit on the other side, say), and waiting for a top-up would wait
   * forever, so it counts as an ordinary failed attempt.
   */
  private fundsLookedEnough(movement: Movement): boolean {
    const view = this.funds.get(movement.provider);
    if (!view || view.currency !== movement.currency || this.deps.clock() - view.readAt >= this.deps.settings.fundsCheckS * 1000) return false;
    return view.released.has(movement.id) || view.availableMinor >= movement.amountMinor;
  }

  /**
   * A payout waiting for funds goes again once the provider's balance covers it. The balance is
   * read at most every FUNDS_CHECK_S per provider; what is sent against it meanwhile is taken
   * off, so a balance that covers one waiting payout does not release ten.
   */
  private async retryIfFunded(movement: Movement): Promise<void> {
    const { clock, settings } = this.deps;
    const now = clock();
    const later = now + settings.fundsCheckS * 1000;
    let view = this.funds.get(movement.provider);
    if (!view || now - view.readAt >= settings.fundsCheckS * 1000) {
      try {
        const { disbursement } = await this.deps.providers.get(movement.provider).balances();
        view = {
          readAt: now, availableMinor: parseDecimal(disbursement.availableBalance, disbursement.currency), currency: disbursement.currency,
          released: new Set(),
        };
        this.funds.set(movement.provider, view);
      } catch (error) {
        this.deps.log.warn('funds.check_failed', { provider: movement.provider, code: error instanceof ProviderError ? error.code : String(error) });
        await this.reschedule(movement, later);
        return;
      }
    }
    if (view.currency !== movement.currency || view.availableMinor < movement.amountMinor) {
      await this.reschedule(movement, later);
      return;
    }
    view.availableMinor -= movement.amountMinor;
    view.released.add(movement.id);
    await this.retry(movement);
  }

  private async fail(movement: Movement, reason: string, financialTransactionId: string | null, moved?: Moved): Promise<void> {
    const now = this.deps.clock();
    await this.move(movement, { to: 'failed', reason, financialTransactionId }, (tx) => this.handler(movement).failed(tx, movement, reason, now, moved));
  }

  /**
   * A movement waiting for funds, sent now because a person says the funds are there: its new
   * attempt is written before this resolves (true), and sent in the background.
   */
  async sendNow(movement: Movement): Promise<boolean> {
    if (movement.status !== 'waiting_funds') return false;
    this.funds.delete(movement.provider);
    const restarted = await this.restart(movement);
    if (restarted) this.send(restarted).catch((error: unknown) => this.deps.log.error('movement.send_now_failed', { orderId: movement.orderId, error }));
    return true;
  }

  /** A new attempt with a new reference, to the party as it is now, sent at once. */
  private async retry(movement: Movement): Promise<void> {
    const restarted = await this.restart(movement);
    if (restarted) await this.send(restarted);
  }

  /** Writes a new attempt with a new reference, to the party as it is now; the row as restarted, or null if it had moved on. */
  private async restart(movement: Movement): Promise<Movement | null> {
    const now = this.deps.clock();
    assertMovementMove(movement.kind, movement.status, 'sending');
    const party = (await this.handler(movement).partyFor?.(movement)) ?? movement.partyMsisdn;
    if (!(await this.deps.store.restart(movement, randomUUID(), party, this.sendLease(now), now))) return null;
    this.announce(movement.orderId);
    return (await this.deps.store.byId(movement.id)) ?? null;
  }
}
