// Every SQL statement the movement engine runs, for every kind of movement alike. The engine
// decides which state changes are legal; this file only writes them, each guarded by the state
// it expects to find (`WHERE status = ?`), so two racing writers cannot both win.
import type { Database, Statement } from 'better-sqlite3';
import { groupCommit, type GroupCommit } from './group-commit';

export type MovementKind = 'collection' | 'payout' | 'refund';
/** What every kind passes through. `sending`: the row is written and the create call may or may not have reached the provider. */
type CommonStatus = 'sending' | 'pending' | 'successful' | 'failed';
/**
 * `abandoned`: never accepted by the provider before the send deadline; the order has failed,
 * but the reference is still read for a while in case a lost create arrived after all.
 */
export type CollectionStatus = CommonStatus | 'abandoned';
/**
 * `retry_wait`: the last attempt is known FAILED for a reason worth a new attempt.
 * `waiting_funds`: it failed for lack of funds; a new attempt goes once the balance covers it.
 */
export type PayoutStatus = CommonStatus | 'retry_wait' | 'waiting_funds' | 'cancelled';
/** A refund gives a payer money back from the disbursement account: it retries and waits for funds like a payout, and is never cancelled once approved. */
export type RefundStatus = CommonStatus | 'retry_wait' | 'waiting_funds';
export interface StatusOfKind {
  collection: CollectionStatus;
  payout: PayoutStatus;
  refund: RefundStatus;
}
export type MovementStatus = StatusOfKind[MovementKind];

interface MovementFields {
  id: number;
  orderId: string;
  provider: string;
  partyMsisdn: string;
  amountMinor: number;
  currency: string;
  referenceId: string;
  reason: string | null;
  financialTransactionId: string | null;
  attempts: number;
  fundsWaits: number;
  sends: number;
  checks: number;
  acceptedAt: number | null;
  nextCheckAt: number | null;
  leasedUntil: number | null;
  leasedBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export type MovementOf<K extends MovementKind> = MovementFields & { kind: K; status: StatusOfKind[K] };
export type Movement = { [K in MovementKind]: MovementOf<K> }[MovementKind];

export interface NewMovement {
  orderId: string;
  kind: MovementKind;
  provider: string;
  partyMsisdn: string;
  amountMinor: number;
  currency: string;
  referenceId: string;
}

export interface MovementChange {
  from: MovementStatus;
  to: MovementStatus;
  reason?: string | null;
  financialTransactionId?: string | null;
  /** null: nothing more to check (a final state). */
  nextCheckAt: number | null;
  detail?: string | null;
}

/** How a step left a movement: when it is due next (0: at once), or null when nothing more is due. */
export interface StepEnd {
  nextCheckAt: number | null;
}

/** Who holds a row while it is being sent or read, and until when. */
export interface Lease {
  holder: string;
  until: number;
}

const columns = `id, order_id AS orderId, kind, provider, party_msisdn AS partyMsisdn, amount_minor AS amountMinor, currency,
  reference_id AS referenceId, status, reason, financial_transaction_id AS financialTransactionId, attempts,
  funds_waits AS fundsWaits, sends, checks, accepted_at AS acceptedAt, next_check_at AS nextCheckAt, leased_until AS leasedUntil, leased_by AS leasedBy, created_at AS createdAt, updated_at AS updatedAt`;

/**
 * `next_check_at` when a step (a send or a read) has finished, and its lease is released. If a
 * callback asked for a read while the step was out, the row is due at once: its news must not
 * wait for the backoff. NULL clears it, for final states. `at` names the parameter bound to it.
 */
const afterStep = (at: string) => `next_check_at = CASE WHEN ${at} IS NULL THEN NULL WHEN read_requested = 1 THEN 0 ELSE ${at} END,
  read_requested = 0, leased_until = NULL, leased_by = NULL`;

export class MovementStore {
  private readonly s: Record<
    | 'insert' | 'insertAttempt' | 'insertEvent' | 'byId' | 'byOrder' | 'paymentAndPayout' | 'move' | 'moveAttempt' | 'restart' | 'lease' | 'afterRead'
    | 'countSend' | 'uncountSend' | 'resume' | 'release' | 'dueYoung' | 'dueOld' | 'nextDue' | 'dueNow',
    Statement
  >;

  private readonly group: GroupCommit;

  constructor(db: Database) {
    this.group = groupCommit(db);
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      // Written counting its first send: its writer sends it at once (engine.send).
      insert: p(`INSERT INTO movements (order_id, kind, provider, party_msisdn, amount_minor, currency, reference_id, status, sends,
        next_check_at, leased_until, leased_by, created_at, updated_at)
        VALUES (@orderId, @kind, @provider, @partyMsisdn, @amountMinor, @currency, @referenceId, 'sending', 1, @until, @until, @holder, @now, @now)`),
      insertAttempt: p(`INSERT INTO movement_attempts (reference_id, movement_id, party_msisdn, status, created_at, updated_at)
        VALUES (?, ?, ?, 'sending', ?, ?)`),
      insertEvent: p(`INSERT INTO order_events (order_id, entity, from_state, to_state, detail, at) VALUES (?, ?, ?, ?, ?, ?)`),
      byId: p(`SELECT ${columns} FROM movements WHERE id = ?`),
      byOrder: p(`SELECT ${columns} FROM movements WHERE order_id = ? AND kind = ?`),
      paymentAndPayout: p(`SELECT ${columns} FROM movements WHERE order_id = ? AND kind IN ('collection', 'payout')`),
      move: p(`UPDATE movements SET status = @to, reason = coalesce(@reason, reason),
        accepted_at = coalesce(accepted_at, CASE WHEN @to IN ('pending', 'successful') THEN @now END),
        financial_transaction_id = coalesce(@financialTransactionId, financial_transaction_id), ${afterStep('@nextCheckAt')},
        updated_at = @now WHERE id = @id AND status = @from RETURNING next_check_at AS nextCheckAt`),
      moveAttempt: p(`UPDATE movement_attempts SET status = ?, reason = coalesce(?, reason), updated_at = ? WHERE reference_id = ?`),
      restart: p(`UPDATE movements SET status = 'sending', reference_id = ?, party_msisdn = ?, attempts = attempts + 1,
        funds_waits = funds_waits + (status = 'waiting_funds'), sends = 1, checks = 0, reason = NULL, accepted_at = NULL, next_check_at = ?,
        leased_until = ?, leased_by = ?, read_requested = 0, updated_at = ?
        WHERE id = ? AND status IN ('retry_wait', 'waiting_funds')`),
      lease: p(`UPDATE movements SET next_check_at = ?, leased_until = ?, leased_by = ?, read_requested = 0
        WHERE id = ? AND status = ? AND (leased_until IS NULL OR leased_until <= ?)`),
      afterRead: p(`UPDATE movements SET ${afterStep('@nextCheckAt')}, checks = checks + 1, updated_at = @now
        WHERE id = @id AND status = @status RETURNING next_check_at AS nextCheckAt`),
      countSend: p(`UPDATE movements SET sends = sends + 1 WHERE id = ?`),
      uncountSend: p(`UPDATE movements SET sends = sends - 1 WHERE id = ? AND sends > 0`),
      release: p(`UPDATE movements SET next_check_at = ?, leased_until = NULL, leased_by = NULL WHERE id = ? AND leased_by = ?`),
      resume: p(`UPDATE movements SET next_check_at = ?, leased_until = NULL, leased_by = NULL
        WHERE status IN ('sending', 'retry_wait') OR leased_until IS NOT NULL`),
      dueYoung: p(`SELECT ${columns} FROM movements WHERE next_check_at <= ? AND created_at >= ? ORDER BY next_check_at LIMIT ?`),
      dueOld: p(`SELECT ${columns} FROM movements WHERE next_check_at <= ? AND created_at < ? ORDER BY next_check_at LIMIT ?`),
      nextDue: p(`SELECT min(next_check_at) AS t FROM movements`),
      // 0, due since ever: a read that a callback asked for goes before every read that is
      // merely on schedule (the worker picks by next_check_at), so a backlog of long-pending
      // payments queued at the provider's rate limit cannot hold back the orders that just moved.
      // A leased row stays hidden until its step ends, which then makes it due at once.
      dueNow: p(`UPDATE movements SET next_check_at = CASE WHEN leased_until > ? THEN next_check_at ELSE 0 END, read_requested = 1
        WHERE status IN ('sending', 'pending', 'abandoned') AND id = (SELECT movement_id FROM movement_attempts WHERE reference_id = ?)`),
    };
  }

  /**
   * Runs `fn` atomically: all of its writes land, or none. They are committed with the rest of
   * this turn of the event loop's (group-commit.ts): what must not leave the process before
   * them waits for `committed()` or goes through `afterCommit`.
   */
  transaction<T>(fn: () => T): T {
    return this.group.write(fn);
  }

  /**
   * On: the writes of one turn of the event loop share one commit (a serving worker); off: each
   * commits at once, and what was open is committed now.
   */
  groupCommits(on: boolean): void {
    this.group.setGrouping(on);
  }

  /** Resolves once every write made so far is committed; rejects if that commit fails. */
  committed(): Promise<void> {
    return this.group.committed();
  }

  /** Runs `fn` once every write made so far is committed (at once when none waits); never if that commit fails. */
  afterCommit(fn: () => void): void {
    this.group.afterCommit(fn);
  }

  /**
   * Writes a movement and its first attempt, in `sending` and held by `lease` while its create
   * call is out; if the holder dies, it is due when the lease runs out. Returns its id.
   */
  insert(movement: NewMovement, lease: Lease, now: number): number {
    return this.transaction(() => {
      const info = this.s.insert.run({ ...movement, until: lease.until, holder: lease.holder, now });
      this.s.insertAttempt.run(movement.referenceId, info.lastInsertRowid, movement.partyMsisdn, now, now);
      this.s.insertEvent.run(movement.orderId, movement.kind, null, 'sending', movement.referenceId, now);
      return Number(info.lastInsertRowid);
    });
  }

  byId(id: number): Movement | undefined {
    return this.s.byId.get(id) as Movement | undefined;
  }

  of<K extends MovementKind>(orderId: string, kind: K): MovementOf<K> | undefined {
    return this.s.byOrder.get(orderId, kind) as MovementOf<K> | undefined;
  }

  /** An order's collection and payout (if written) in one read: what its snapshot shows. */
  paymentAndPayout(orderId: string): { payment: MovementOf<'collection'> | undefined; payout: MovementOf<'payout'> | undefined } {
    const rows = this.s.paymentAndPayout.all(orderId) as Movement[];
    return {
      payment: rows.find((m): m is MovementOf<'collection'> => m.kind === 'collection'),
      payout: rows.find((m): m is MovementOf<'payout'> => m.kind === 'payout'),
    };
  }

  /**
   * Moves a movement and records it; null when it was no longer in `change.from`. Answers when it
   * is due next as written, which is at once when a callback asked for a read during the step.
   */
  move(row: Movement, change: MovementChange, now: number): StepEnd | null {
    return this.transaction(() => this.moveNow(row, change, now));
  }

  private moveNow(row: Movement, change: MovementChange, now: number): StepEnd | null {
    const result = this.s.move.get({
      to: change.to, from: change.from, reason: change.reason ?? null, financialTransactionId: change.financialTransactionId ?? null,
      nextCheckAt: change.nextCheckAt, now, id: row.id,
    }) as StepEnd | undefined;
    if (!result) return null;
    // An attempt waits for a retry (or for funds) only once it is known to have failed; an
    // abandoned one may still turn out to exist, so it stays open.
    // A cancelled payout's last attempt had already failed (only a payout that has not left is cancelled).
    const attemptStatus = change.to === 'retry_wait' || change.to === 'waiting_funds' || change.to === 'cancelled' ? 'failed' : change.to === 'abandoned' ? 'pending' : change.to;
    this.s.moveAttempt.run(attemptStatus, change.reason ?? null, now, row.referenceId);
    this.s.insertEvent.run(row.orderId, row.kind, change.from, change.to, change.detail ?? change.reason ?? null, now);
    return result;
  }

  /**
   * A new attempt with a new reference, to `partyMsisdn` (a payee's number may have changed since
   * the last one); the partial unique index refuses it unless every earlier attempt failed.
   */
  restart(row: Movement, referenceId: string, partyMsisdn: string, lease: Lease, now: number): boolean {
    return this.transaction(() => {
      if (this.s.restart.run(referenceId, partyMsisdn, lease.until, lease.until, lease.holder, now, row.id).changes !== 1) return false;
      this.s.insertAttempt.run(referenceId, row.id, partyMsisdn, now, now);
      this.s.insertEvent.run(row.orderId, row.kind, row.status, 'sending', referenceId, now);
      return true;
    });
  }

  /**
   * Takes rows for a step: hidden from every pick (next_check_at moves to the lease's end) until
   * the step ends or the lease runs out. A row someone else holds, or that has moved on, is skipped.
   */
  lease(rows: readonly Movement[], lease: Lease, now: number): Movement[] {
    // Nothing due takes no write lock: an idle worker's wake-up neither writes nor meets another
    // process's lock (which would mark it failing for a write it never needed).
    if (rows.length === 0) return [];
    return this.transaction(() =>
      rows.filter((row) => this.s.lease.run(lease.until, lease.until, lease.holder, row.id, row.status, now).changes === 1),
    );
  }

  /** After a read that settled nothing (or a send whose answer is unknown): the next read, and the lease released. */
  afterRead(row: Movement, nextCheckAt: number, now: number): StepEnd | null {
    return this.transaction(() => (this.s.afterRead.get({ nextCheckAt, now, id: row.id, status: row.status }) as StepEnd | undefined) ?? null);
  }

  /** Frees rows whose step died in this process (its database failed mid-step): due again now. */
  release(ids: readonly number[], holder: string, now: number): void {
    this.transaction(() => {
      for (const id of ids) this.s.release.run(now, id, holder);
    });
  }

  /** A create sent again with the same reference (the first send is counted when the row is written). */
  countSend(row: Movement): void {
    this.transaction(() => this.s.countSend.run(row.id));
  }

  /** A create that was counted when its row was written but held back (e.g. a payout hold): it did not leave. */
  uncountSend(row: Movement): void {
    this.transaction(() => this.s.uncountSend.run(row.id));
  }

  /**
   * After a restart nothing is in flight: every unconfirmed send is read at once, and so is
   * every row whose step died with the process (it still holds a lease).
   */
  resume(now: number): void {
    this.transaction(() => this.s.resume.run(now));
  }

  /**
   * Up to `limit` due movements, soonest due first, those created since `youngSince` before any
   * older one: after an outage, a shopper still waiting at the till goes before a backlog of
   * payments nobody is waiting for.
   */
  due(now: number, limit: number, youngSince: number): Movement[] {
    const young = this.s.dueYoung.all(now, youngSince, limit) as Movement[];
    if (young.length >= limit) return young;
    return [...young, ...(this.s.dueOld.all(now, youngSince, limit - young.length) as Movement[])];
  }

  nextDueAt(): number | null {
    return (this.s.nextDue.get() as { t: number | null }).t;
  }

  /** A callback named this reference (of any attempt): read it before anything else. False when nothing open matched. */
  markDueNow(referenceId: string, now: number): boolean {
    return this.group.writeOne(() => this.s.dueNow.run(now, referenceId).changes > 0);
  }
}
