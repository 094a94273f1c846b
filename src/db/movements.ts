// Every SQL statement the movement engine runs, for every kind of movement alike. The engine
// decides which state changes are legal; this file only writes them, each guarded by the state
// it expects to find (`WHERE status = ?`), so two racing writers cannot both win.
import { atomically, insertId, valueRows, type Sql } from './sql';

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

/** A row of an order's history (order_events): the order's own changes and its movements'. */
export interface OrderEvent {
  orderId: string;
  /** 'order', or the movement's kind. */
  entity: 'order' | MovementKind;
  from: string | null;
  to: string;
  detail: string | null;
  at: number;
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
const afterStep = (at: string) => `next_check_at = CASE WHEN CAST(${at} AS BIGINT) IS NULL THEN NULL WHEN read_requested = 1 THEN 0 ELSE CAST(${at} AS BIGINT) END,
  read_requested = 0, leased_until = NULL, leased_by = NULL`;


const dueOf = (age: string) => `SELECT ${columns} FROM movements
  WHERE next_check_at <= @now AND ${age} AND (leased_until IS NULL OR leased_until <= @now)
  ORDER BY next_check_at LIMIT @limit`;

/** `n` events of an order's history in one statement, written in the order given. */
const insertEvents = (n: number) => `INSERT INTO order_events (order_id, entity, from_state, to_state, detail, at) VALUES ${valueRows(n, 6)}`;

/** The statements, by what they do. */
export const movementSql = {
  // Written counting its first send: its writer sends it at once (engine.send).
  insert: `INSERT INTO movements (order_id, kind, provider, party_msisdn, amount_minor, currency, reference_id, status, sends,
    next_check_at, leased_until, leased_by, created_at, updated_at)
    VALUES (@orderId, @kind, @provider, @partyMsisdn, @amountMinor, @currency, @referenceId, 'sending', 1, @until, @until, @holder, @now, @now)`,
  insertAttempt: `INSERT INTO movement_attempts (reference_id, movement_id, party_msisdn, status, created_at, updated_at)
    VALUES (?, ?, ?, 'sending', ?, ?)`,
  insertEvent: insertEvents(1),
  insertEvents,
  byId: `SELECT ${columns} FROM movements WHERE id = ?`,
  byOrder: `SELECT ${columns} FROM movements WHERE order_id = ? AND kind = ?`,
  paymentAndPayout: `SELECT ${columns} FROM movements WHERE order_id = ? AND kind IN ('collection', 'payout')`,
  move: `UPDATE movements SET status = @to, reason = coalesce(@reason, reason),
    accepted_at = coalesce(accepted_at, CASE WHEN @to IN ('pending', 'successful') THEN CAST(@now AS BIGINT) END),
    financial_transaction_id = coalesce(@financialTransactionId, financial_transaction_id), ${afterStep('@nextCheckAt')},
    updated_at = @now WHERE id = @id AND status = @from RETURNING next_check_at AS nextCheckAt`,
  moveAttempt: `UPDATE movement_attempts SET status = ?, reason = coalesce(?, reason), updated_at = ? WHERE reference_id = ?`,
  restart: `UPDATE movements SET status = 'sending', reference_id = ?, party_msisdn = ?, attempts = attempts + 1,
    funds_waits = funds_waits + CASE WHEN status = 'waiting_funds' THEN 1 ELSE 0 END, sends = 1, checks = 0, reason = NULL, accepted_at = NULL,
    next_check_at = ?, leased_until = ?, leased_by = ?, read_requested = 0, updated_at = ?
    WHERE id = ? AND status IN ('retry_wait', 'waiting_funds')`,
  afterRead: `UPDATE movements SET ${afterStep('@nextCheckAt')}, checks = checks + 1, updated_at = @now
    WHERE id = @id AND status = @status RETURNING next_check_at AS nextCheckAt`,
  countSend: `UPDATE movements SET sends = sends + 1 WHERE id = ?`,
  uncountSend: `UPDATE movements SET sends = sends - 1 WHERE id = ? AND sends > 0`,
  release: `UPDATE movements SET next_check_at = ?, leased_until = NULL, leased_by = NULL WHERE id = ? AND leased_by = ?`,
  resume: `UPDATE movements SET next_check_at = ?, leased_until = NULL, leased_by = NULL
    WHERE status IN ('sending', 'retry_wait') OR leased_until IS NOT NULL`,
  /**
   * Start-up beside other live instances (PostgreSQL): only leases that have run out, a dead
   * instance's steps (a `sending` row is leased from when it is written, so its unconfirmed create
   * is among them). A live lease is another instance's step in flight, and a row without one
   * was scheduled by whoever ended its last step: reading it now would only repeat that read.
   */
  resumeShared: `UPDATE movements SET next_check_at = ?, leased_until = NULL, leased_by = NULL WHERE leased_until <= ?`,
  /** The holders of leases still running, for start-up to ask which of them are gone. */
  liveHolders: `SELECT DISTINCT leased_by AS holder FROM movements WHERE leased_by IS NOT NULL AND leased_until > CAST(? AS BIGINT)`,
  releaseHolder: `UPDATE movements SET next_check_at = ?, leased_until = NULL, leased_by = NULL WHERE leased_by = ?`,
  /**
   * PostgreSQL's pick, for several instances on one database: picks and leases in one statement.
   * SKIP LOCKED passes over rows another instance's pick is taking at this moment instead of
   * waiting for it, and a row it does lock is checked again as that pick left it (leased: no
   * longer due), so each due row goes to exactly one instance. Young before old, as `pick` says.
   */
  pickShared: `UPDATE movements SET next_check_at = @until, leased_until = @until, leased_by = @holder, read_requested = 0
    FROM (SELECT id AS picked_id FROM movements
      WHERE next_check_at <= @now AND (leased_until IS NULL OR leased_until <= @now)
      ORDER BY CASE WHEN created_at >= @youngSince THEN 0 ELSE 1 END, next_check_at LIMIT @limit
      FOR UPDATE SKIP LOCKED) AS picked
    WHERE movements.id = picked.picked_id
    RETURNING ${columns}`,
  /**
   * SQLite's pick (one process): up to @limit due rows of one age (young: created at or after
   * @youngSince; old: before it), soonest due first, read without a write lock (an idle worker's
   * wake-up writes nothing) and then leased, each only in the state it was read in and only if
   * nobody holds it. Not one `UPDATE … WHERE id IN (…) RETURNING`: SQLite runs that form several
   * times slower (112 µs a pick against 27 µs on a bench database, 250 µs a call at
   * callbacks-peak). The lease answers no rows, so it is a plain write that joins the turn's
   * commit; only when it took fewer rows than it was given is a read needed to say which.
   */
  dueYoung: dueOf('created_at >= @youngSince'),
  dueOld: dueOf('created_at < @youngSince'),
  lease: (n: number) => `UPDATE movements SET next_check_at = ?, leased_until = ?, leased_by = ?, read_requested = 0
    WHERE (${Array.from({ length: n }, () => 'id = ? AND status = ?').join(' OR ')}) AND (leased_until IS NULL OR leased_until <= ?)`,
  /** Which of the rows a lease just wrote were taken by it (when it took fewer than it was given). */
  heldBy: (n: number) => `SELECT id FROM movements WHERE id IN (${Array.from({ length: n }, () => '?').join(', ')}) AND leased_by = ? AND leased_until = ?`,
  nextDue: `SELECT min(next_check_at) AS t FROM movements`,
  // 0, due since ever: a read that a callback asked for goes before every read that is
  // merely on schedule (the worker picks by next_check_at), so a backlog of long-pending
  // payments queued at the provider's rate limit cannot hold back the orders that just moved.
  // A leased row stays hidden until its step ends, which then makes it due at once.
  dueNow: `UPDATE movements SET next_check_at = CASE WHEN leased_until > ? THEN next_check_at ELSE 0 END, read_requested = 1
    WHERE status IN ('sending', 'pending', 'abandoned') AND id = (SELECT movement_id FROM movement_attempts WHERE reference_id = ?)`,
} as const;

/** A movement as `insert` writes it: the columns' defaults, and its first send counted. */
function asWritten<K extends MovementKind>(id: number, movement: NewMovement & { kind: K }, lease: Lease, now: number): MovementOf<K> {
  const { orderId, kind, provider, partyMsisdn, amountMinor, currency, referenceId } = movement;
  return {
    id, orderId, kind, provider, partyMsisdn, amountMinor, currency, referenceId, status: 'sending', reason: null,
    financialTransactionId: null, attempts: 1, fundsWaits: 0, sends: 1, checks: 0, acceptedAt: null, nextCheckAt: lease.until,
    leasedUntil: lease.until, leasedBy: lease.holder, createdAt: now, updatedAt: now,
  };
}

/** What an attempt becomes when its movement moves to `to`. */
export function attemptStatusFor(to: MovementStatus): MovementStatus {
  // An attempt waits for a retry (or for funds) only once it is known to have failed; an
  // abandoned one may still turn out to exist, so it stays open.
  // A cancelled payout's last attempt had already failed (only a payout that has not left is cancelled).
  return to === 'retry_wait' || to === 'waiting_funds' || to === 'cancelled' ? 'failed' : to === 'abandoned' ? 'pending' : to;
}

export class MovementStore {
  /** `sql` is the database, or a transaction's executor (`in`). */
  constructor(private readonly sql: Sql) {}

  /** The same store on a transaction's executor: what runs inside `sql.transaction` uses it. */
  in(tx: Sql): MovementStore {
    return new MovementStore(tx);
  }

  /**
   * Writes a movement and its first attempt, in `sending` and held by `lease` while its create
   * call is out; if the holder dies, it is due when the lease runs out. Answers the row as written,
   * so its writer sends it without reading it back (issue #16). `before`: events of the same
   * transaction to record ahead of the movement's own (a new order's), in the same statement as
   * it: one INSERT of the history instead of one per event.
   */
  insert<K extends MovementKind>(movement: NewMovement & { kind: K }, lease: Lease, now: number, before: readonly OrderEvent[] = []): Promise<MovementOf<K>> {
    return atomically(this.sql, async (tx) => {
      const id = await insertId(tx, movementSql.insert, { ...movement, until: lease.until, holder: lease.holder, now });
      await tx.run(movementSql.insertAttempt, [movement.referenceId, id, movement.partyMsisdn, now, now]);
      const events = [...before, { orderId: movement.orderId, entity: movement.kind, from: null, to: 'sending', detail: movement.referenceId, at: now }];
      await tx.run(movementSql.insertEvents(events.length), events.flatMap((event) => [event.orderId, event.entity, event.from, event.to, event.detail, event.at]));
      return asWritten(id, movement, lease, now);
    });
  }

  byId(id: number): Promise<Movement | undefined> {
    return this.sql.get<Movement>(movementSql.byId, [id]);
  }

  of<K extends MovementKind>(orderId: string, kind: K): Promise<MovementOf<K> | undefined> {
    return this.sql.get<MovementOf<K>>(movementSql.byOrder, [orderId, kind]);
  }

  /** An order's collection and payout (if written) in one read: what its snapshot shows. */
  async paymentAndPayout(orderId: string): Promise<{ payment: MovementOf<'collection'> | undefined; payout: MovementOf<'payout'> | undefined }> {
    const rows = await this.sql.all<Movement>(movementSql.paymentAndPayout, [orderId]);
    return {
      payment: rows.find((m): m is MovementOf<'collection'> => m.kind === 'collection'),
      payout: rows.find((m): m is MovementOf<'payout'> => m.kind === 'payout'),
    };
  }

  /**
   * Moves a movement and records it; null when it was no longer in `change.from`. Answers when it
   * is due next as written, which is at once when a callback asked for a read during the step.
   */
  move(row: Movement, change: MovementChange, now: number): Promise<StepEnd | null> {
    return atomically(this.sql, async (tx) => {
      const result = await tx.get<StepEnd>(movementSql.move, {
        to: change.to, from: change.from, reason: change.reason ?? null, financialTransactionId: change.financialTransactionId ?? null,
        nextCheckAt: change.nextCheckAt, now, id: row.id,
      });
      if (!result) return null;
      await tx.run(movementSql.moveAttempt, [attemptStatusFor(change.to), change.reason ?? null, now, row.referenceId]);
      await tx.run(movementSql.insertEvent, [row.orderId, row.kind, change.from, change.to, change.detail ?? change.reason ?? null, now]);
      return result;
    });
  }

  /**
   * A new attempt with a new reference, to `partyMsisdn` (a payee's number may have changed since
   * the last one); the partial unique index refuses it unless every earlier attempt failed.
   */
  restart(row: Movement, referenceId: string, partyMsisdn: string, lease: Lease, now: number): Promise<boolean> {
    return atomically(this.sql, async (tx) => {
      const { changes } = await tx.run(movementSql.restart, [referenceId, partyMsisdn, lease.until, lease.until, lease.holder, now, row.id]);
      if (changes !== 1) return false;
      await tx.run(movementSql.insertAttempt, [referenceId, row.id, partyMsisdn, now, now]);
      await tx.run(movementSql.insertEvent, [row.orderId, row.kind, row.status, 'sending', referenceId, now]);
      return true;
    });
  }

  /** After a read that settled nothing (or a send whose answer is unknown): the next read, and the lease released. */
  afterRead(row: Movement, nextCheckAt: number, now: number): Promise<StepEnd | null> {
    return atomically(this.sql, async (tx) => (await tx.get<StepEnd>(movementSql.afterRead, { nextCheckAt, now, id: row.id, status: row.status })) ?? null);
  }

  /** Frees rows whose step died in this process (its database failed mid-step): due again now. */
  release(ids: readonly number[], holder: string, now: number): Promise<void> {
    return atomically(this.sql, async (tx) => {
      for (const id of ids) await tx.run(movementSql.release, [now, id, holder]);
    });
  }

  /** A create sent again with the same reference (the first send is counted when the row is written). */
  async countSend(row: Movement): Promise<void> {
    await this.sql.run(movementSql.countSend, [row.id]);
  }

  /** A create that was counted when its row was written but held back (e.g. a payout hold): it did not leave. */
  async uncountSend(row: Movement): Promise<void> {
    await this.sql.run(movementSql.uncountSend, [row.id]);
  }

  /**
   * After a restart nothing is in flight: every unconfirmed send is read at once, and so is
   * every row whose step died with the process (it still holds a lease).
   */
  async resume(now: number, isGone: (holder: string) => boolean = () => false): Promise<void> {
    // SQLite: one process owns the file, so every lease is this process's own, from before it
    // restarted. PostgreSQL: other instances may be mid-step, and their leases are left alone,
    // unless `isGone` knows their holder has ended (this instance before its restart, killed).
    if (this.sql.dialect !== 'postgres') {
      await this.sql.run(movementSql.resume, [now]);
      return;
    }
    await this.sql.run(movementSql.resumeShared, [now, now]);
    const holders = await this.sql.all<{ holder: string }>(movementSql.liveHolders, [now]);
    for (const { holder } of holders) if (isGone(holder)) await this.sql.run(movementSql.releaseHolder, [now, holder]);
  }

  /**
   * Takes up to `limit` due rows for a step under `lease`: hidden from every pick (next_check_at
   * moves to the lease's end) until the step ends or the lease runs out. Soonest due first, and
   * those created since `youngSince` before any older one: after an outage, a shopper still
   * waiting at the till goes before a backlog of payments nobody is waiting for. Answered young
   * first (PostgreSQL's RETURNING keeps no order). On SQLite a select (a second only when the
   * young leave slots free) and, when it found any, one lease; on PostgreSQL one statement that
   * other instances' picks pass over (pickShared).
   */
  async pick(now: number, limit: number, youngSince: number, lease: Lease): Promise<Movement[]> {
    const params = { until: lease.until, holder: lease.holder, now, youngSince, limit };
    if (this.sql.dialect === 'postgres') {
      const taken = await this.sql.all<Movement>(movementSql.pickShared, params);
      return taken.sort((a, b) => Number(a.createdAt < youngSince) - Number(b.createdAt < youngSince));
    }
    const young = await this.sql.all<Movement>(movementSql.dueYoung, params);
    const rows = young.length >= limit ? young : [...young, ...(await this.sql.all<Movement>(movementSql.dueOld, { ...params, limit: limit - young.length }))];
    if (rows.length === 0) return rows;
    // One statement for the whole pick: atomic on its own, and it joins the turn's commit.
    const { changes } = await this.sql.run(movementSql.lease(rows.length), [
      lease.until, lease.until, lease.holder, ...rows.flatMap((row) => [row.id, row.status]), now,
    ]);
    let taken = rows;
    if (changes < rows.length) {
      const held = await this.sql.all<{ id: number }>(movementSql.heldBy(rows.length), [...rows.map((row) => row.id), lease.holder, lease.until]);
      const ids = new Set(held.map((row) => row.id));
      taken = rows.filter((row) => ids.has(row.id));
    }
    return taken.map((row) => ({ ...row, nextCheckAt: lease.until, leasedUntil: lease.until, leasedBy: lease.holder }));
  }

  async nextDueAt(): Promise<number | null> {
    return (await this.sql.get<{ t: number | null }>(movementSql.nextDue))?.t ?? null;
  }

  /** A callback named this reference (of any attempt): read it before anything else. False when nothing open matched. */
  async markDueNow(referenceId: string, now: number): Promise<boolean> {
    // One statement is atomic on its own: outside a transaction it joins the turn's commit without a savepoint.
    return (await this.sql.run(movementSql.dueNow, [now, referenceId])).changes > 0;
  }
}
