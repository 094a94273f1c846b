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
import type { Lease, Movement, MovementChange, MovementKind, MovementOf, MovementStore } from '../db';
import type { Logger } from '../log';
import { AMOUNT_MISMATCH, ProviderError, type ProviderRegistry, type ProviderTransaction, type ReasonInfo } from '../providers';
import { isStuck, nextCheckDelay } from './schedule';
import { assertMovementMove } from './states';

/** What a kind of movement means to the business around it. */
export interface KindHandler<K extends MovementKind> {
  /** The movement's name in logs. */
  label: string;
  /** References tried before a retryable failure stops for a person; 1: never retried. */
  maxAttempts: number;
  /** How soon to read once the provider has accepted the create. */
  firstCheckMs(settings: WorkerSettings): number;
  /** The texts the request carries to the payer and the payee. */
  messages(movement: MovementOf<K>): { payerMessage: string; payeeNote: string };
  /**
   * Runs inside the transaction that marks the movement SUCCESSFUL; returns the movements it
   * wrote (each held by `lease`), which are sent once that transaction has committed.
   */
  succeeded(movement: MovementOf<K>, now: number, lease: Lease): Movement[];
  /**
   * Runs inside the transaction that marks the movement failed for good. `moved`: the provider
   * says it went through, but not for what was asked (AMOUNT_MISMATCH), so money did move.
   */
  failed(movement: MovementOf<K>, reason: string, now: number, moved?: Moved): void;
}

export type HandlerTable = { readonly [K in MovementKind]: KindHandler<K> };

export interface EngineDeps {
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

export class MovementEngine {
  constructor(private readonly deps: EngineDeps) {}

  private handler(movement: Movement): KindHandler<MovementKind> {
    return this.deps.handlers[movement.kind] as KindHandler<MovementKind>;
  }

  /** The lease a new create call is sent under. */
  sendLease(now: number): Lease {
    return { holder: this.deps.holder, until: now + this.deps.sendGraceMs };
  }

  reasonOf(movement: Movement, code: string): ReasonInfo {
    if (code === AMOUNT_MISMATCH) return { kind: 'amount_mismatch', retryable: false };
    return this.deps.providers.get(movement.provider).reasonOf(code);
  }

  /**
   * Moves a movement and, in the same transaction, runs `effect` (the order's side of it);
   * false if someone moved the movement first.
   */
  move(movement: Movement, change: Change, effect?: () => void): boolean {
    const { store, clock } = this.deps;
    assertMovementMove(movement.kind, movement.status, change.to);
    const moved = store.transaction(() => {
      const ok = store.move(movement, { nextCheckAt: null, ...change, from: movement.status }, clock());
      if (ok) effect?.();
      return ok;
    });
    if (moved) {
      this.deps.changed(movement.orderId);
      if (change.nextCheckAt) this.deps.wake(change.nextCheckAt);
    }
    return moved;
  }

  private nextCheckAt(movement: Movement): number {
    const now = this.deps.clock();
    return now + nextCheckDelay(this.deps.settings, movement.checks, now - movement.createdAt);
  }

  private reschedule(movement: Movement): void {
    const at = this.nextCheckAt(movement);
    this.deps.store.afterRead(movement, at, this.deps.clock());
    this.deps.wake(at);
  }

  /** Sends the movement's create call with its stored reference. */
  async send(movement: Movement): Promise<void> {
    const { providers, settings, log, clock } = this.deps;
    const handler = this.handler(movement);
    this.deps.store.countSend(movement);
    try {
      await providers.get(movement.provider).send({
        kind: movement.kind,
        referenceId: movement.referenceId,
        amountMinor: movement.amountMinor,
        currency: movement.currency,
        partyMsisdn: movement.partyMsisdn,
        externalId: movement.orderId,
        ...handler.messages(movement),
        callbackUrl: this.deps.callbackUrl(movement.referenceId),
      });
    } catch (caught) {
      const error = asProviderError(caught);
      if (error.kind === 'rejected') {
        log.info(`${handler.label}.rejected`, { orderId: movement.orderId, code: error.code, status: error.status });
        this.failOrRetry(movement, error.code);
        return;
      }
      if (error.kind === 'unknown') {
        log.warn(`${handler.label}.send_unconfirmed`, { orderId: movement.orderId, code: error.code });
        this.reschedule(movement);
        return;
      }
      // duplicate: an earlier send of this very reference arrived, which is what we wanted.
    }
    this.move(movement, { to: 'pending', nextCheckAt: clock() + handler.firstCheckMs(settings) });
  }

  /** A due movement: a new attempt if it waits for one, else a status read. */
  async check(picked: Movement): Promise<void> {
    if (picked.status === 'retry_wait') return this.retry(picked);
    const read = await this.readFinal(picked);
    if (read === null) return;
    const { movement, tx } = read;
    if (tx.status === 'FAILED') {
      this.failOrRetry(movement, tx.reason ?? 'FAILED');
      return;
    }
    if (!matches(tx, movement)) {
      this.deps.log.error(`${this.handler(movement).label}.amount_mismatch`, {
        orderId: movement.orderId, expected: `${movement.amountMinor} ${movement.currency}`, got: `${tx.amountMinor} ${tx.currency}`,
      });
      const moved = tx.status === 'SUCCESSFUL' && tx.amountMinor !== null ? { amountMinor: tx.amountMinor, currency: tx.currency } : undefined;
      this.fail(movement, AMOUNT_MISMATCH, tx.financialTransactionId, moved);
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
      log.warn(`${label}.check_failed`, { orderId: picked.orderId, error });
      this.reschedule(picked);
      return null;
    }
    // The row as it is now: a create whose answer outlived its lease may have moved it
    // meanwhile, and a move guarded by the old state would be lost. Only this attempt's answer
    // counts: a new reference means the row has moved on.
    const movement = store.byId(picked.id);
    if (!movement || movement.referenceId !== picked.referenceId || (movement.status !== 'sending' && movement.status !== 'pending')) return null;
    if (tx === null) {
      if (movement.status === 'sending') await this.send(movement);
      else {
        // The provider accepted it before, so it must exist: keep reading rather than sending again.
        log.warn(`${label}.not_found_after_accept`, { orderId: movement.orderId });
        this.reschedule(movement);
      }
      return null;
    }
    if (tx.status !== 'PENDING') return { movement, tx };
    this.warnIfStuck(movement);
    // The provider has it and it is still PENDING: what was `sending` is known to have arrived.
    if (movement.status === 'sending') this.move(movement, { to: 'pending', nextCheckAt: this.nextCheckAt(movement) });
    else this.reschedule(movement);
    return null;
  }

  private warnIfStuck(movement: Movement): void {
    const now = this.deps.clock();
    if (isStuck(this.deps.settings, movement.createdAt, now)) {
      this.deps.log.warn('order.stuck', { orderId: movement.orderId, what: this.handler(movement).label, ageS: Math.round((now - movement.createdAt) / 1000) });
    }
  }

  /** SUCCESSFUL for the right amount: in one transaction mark it and let its handler act; then send what that created. */
  private async succeed(movement: Movement, tx: ProviderTransaction): Promise<void> {
    const { store, clock } = this.deps;
    assertMovementMove(movement.kind, movement.status, 'successful');
    const now = clock();
    const created = store.transaction(() => {
      const moved = store.move(movement, { from: movement.status, to: 'successful', financialTransactionId: tx.financialTransactionId, nextCheckAt: null }, now);
      return moved ? this.handler(movement).succeeded(movement, now, this.sendLease(now)) : null;
    });
    if (created === null) return;
    this.deps.changed(movement.orderId);
    for (const next of created) await this.send(next);
  }

  /** Known FAILED: a new attempt later if the reason allows one and attempts are left, else failed for good. */
  private failOrRetry(movement: Movement, reason: string): void {
    const handler = this.handler(movement);
    const retry = this.reasonOf(movement, reason).retryable && movement.attempts < handler.maxAttempts;
    this.deps.log.info(`${handler.label}.failed`, { orderId: movement.orderId, reason, attempt: movement.attempts, retry });
    if (retry) this.move(movement, { to: 'retry_wait', reason, nextCheckAt: this.nextCheckAt(movement) });
    else this.fail(movement, reason, null);
  }

  private fail(movement: Movement, reason: string, financialTransactionId: string | null, moved?: Moved): void {
    const now = this.deps.clock();
    this.move(movement, { to: 'failed', reason, financialTransactionId }, () => this.handler(movement).failed(movement, reason, now, moved));
  }

  /** A new attempt with a new reference, sent at once. */
  private async retry(movement: Movement): Promise<void> {
    const now = this.deps.clock();
    assertMovementMove(movement.kind, movement.status, 'sending');
    if (!this.deps.store.restart(movement, randomUUID(), this.sendLease(now), now)) return;
    this.deps.changed(movement.orderId);
    const restarted = this.deps.store.byId(movement.id);
    if (restarted) await this.send(restarted);
  }
}
