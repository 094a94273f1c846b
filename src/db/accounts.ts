// Every SQL statement about operators and sellers' logins: people, sessions, API keys, seller
// invites, sign-in throttling and the audit log. Decisions (who may do what, when a session has expired) are src/accounts'.
import type { Sql } from './sql';

/** The console's roles, each able to do what the one below it can. */
export type OperatorRole = 'owner' | 'operator' | 'viewer';
/** A seller signs in to their own portal only; the role is bound to one seller (people.seller_id). */
export type Role = OperatorRole | 'seller';

export interface PersonRow {
  id: string;
  email: string;
  role: Role;
  passwordHash: string;
  totpSecret: string | null;
  disabledAt: number | null;
  createdAt: number;
  updatedAt: number;
  /** The seller a `seller` person is bound to; null for everyone else. */
  sellerId: string | null;
}

export interface InviteRow {
  id: string;
  sellerId: string;
  sellerName: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface SessionRow {
  idHash: string;
  personId: string;
  address: string | null;
  createdAt: number;
  lastSeenAt: number;
}

export interface ApiKeyRow {
  id: string;
  personId: string;
  label: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface ThrottleRow {
  key: string;
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

export type AuditVia = 'session' | 'api_key' | 'admin_token' | 'cli' | 'sign_in';

export interface NewAuditEntry {
  at: number;
  actorId: string | null;
  actorEmail: string;
  actorRole: string;
  via: AuditVia;
  action: string;
  objectType: string | null;
  objectId: string | null;
  before: string | null;
  after: string | null;
  outcome: 'done' | 'refused';
  address: string | null;
}

export type AuditRow = NewAuditEntry & { id: number };

export interface AuditFilter {
  actor?: string;
  action?: string;
  objectId?: string;
  from?: number;
  to?: number;
  /** Entries with a smaller id than this (the next page, newest first). */
  beforeId?: number;
  limit: number;
}

const personColumns = `id, email, role, password_hash AS passwordHash, totp_secret AS totpSecret, disabled_at AS disabledAt,
  created_at AS createdAt, updated_at AS updatedAt, seller_id AS sellerId`;
const auditColumns = `id, at, actor_id AS actorId, actor_email AS actorEmail, actor_role AS actorRole, via, action,
  object_type AS objectType, object_id AS objectId, before, after, outcome, address`;

export async function insertPerson(db: Sql, person: Omit<PersonRow, 'disabledAt' | 'updatedAt' | 'totpSecret' | 'sellerId'> & { sellerId?: string }): Promise<void> {
  await db.run(`INSERT INTO people (id, email, role, password_hash, created_at, updated_at, seller_id) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
    person.id, person.email, person.role, person.passwordHash, person.createdAt, person.createdAt, person.sellerId ?? null,
  ]);
}

/** The login of the seller holding `msisdn`: an active seller's before an inactive one's. */
export function sellerPersonByMsisdn(db: Sql, msisdn: string): Promise<PersonRow | undefined> {
  return db.get<PersonRow>(`SELECT ${personColumns} FROM people WHERE seller_id IN (SELECT id FROM sellers WHERE msisdn = ?)
    ORDER BY (SELECT active FROM sellers WHERE sellers.id = people.seller_id) DESC, created_at LIMIT 1`, [msisdn]);
}

export function sellerPerson(db: Sql, sellerId: string): Promise<PersonRow | undefined> {
  return db.get<PersonRow>(`SELECT ${personColumns} FROM people WHERE seller_id = ?`, [sellerId]);
}

export async function sellerExists(db: Sql, sellerId: string): Promise<boolean> {
  return (await db.get(`SELECT 1 FROM sellers WHERE id = ?`, [sellerId])) !== undefined;
}

export async function insertInvite(db: Sql, invite: { id: string; sellerId: string; tokenHash: string; createdBy: string | null; createdAt: number; expiresAt: number }): Promise<void> {
  await db.run(`INSERT INTO seller_invites (id, seller_id, token_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`, [
    invite.id, invite.sellerId, invite.tokenHash, invite.createdBy, invite.createdAt, invite.expiresAt,
  ]);
}

export function inviteByHash(db: Sql, tokenHash: string): Promise<InviteRow | undefined> {
  return db.get<InviteRow>(`SELECT seller_invites.id, seller_id AS sellerId, sellers.name AS sellerName, seller_invites.created_at AS createdAt,
    expires_at AS expiresAt, used_at AS usedAt FROM seller_invites JOIN sellers ON sellers.id = seller_invites.seller_id WHERE token_hash = ?`, [tokenHash]);
}

/** Closes the seller's invites still open (marked used): a lost or superseded link must not set a password later. */
export async function closeOpenInvites(db: Sql, sellerId: string, now: number): Promise<number> {
  return (await db.run(`UPDATE seller_invites SET used_at = ? WHERE seller_id = ? AND used_at IS NULL`, [now, sellerId])).changes;
}

/** Marks the invite used if it still was open at `now`; false when another request used it first or it has expired. */
export async function consumeInvite(db: Sql, id: string, now: number): Promise<boolean> {
  return (await db.run(`UPDATE seller_invites SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?`, [now, id, now])).changes === 1;
}

export function personById(db: Sql, id: string): Promise<PersonRow | undefined> {
  return db.get<PersonRow>(`SELECT ${personColumns} FROM people WHERE id = ?`, [id]);
}

export function personByEmail(db: Sql, email: string): Promise<PersonRow | undefined> {
  return db.get<PersonRow>(`SELECT ${personColumns} FROM people WHERE lower(email) = lower(?)`, [email]);
}

/** The console's people; sellers' logins are not among them. */
export function listPeople(db: Sql): Promise<PersonRow[]> {
  return db.all<PersonRow>(`SELECT ${personColumns} FROM people WHERE role != 'seller' ORDER BY lower(email), email`);
}

// Number(): PostgreSQL's count(*) and bigint ids arrive as strings.
export async function countActiveOwners(db: Sql): Promise<number> {
  return Number((await db.get<{ n: number | string }>(`SELECT count(*) AS n FROM people WHERE role = 'owner' AND disabled_at IS NULL`))!.n);
}

export async function updatePerson(db: Sql, id: string, changes: { role?: Role; passwordHash?: string; totpSecret?: string | null; disabledAt?: number | null }, now: number): Promise<void> {
  const current = await personById(db, id);
  if (!current) return;
  await db.run(`UPDATE people SET role = ?, password_hash = ?, totp_secret = ?, disabled_at = ?, updated_at = ? WHERE id = ?`, [
    changes.role ?? current.role,
    changes.passwordHash ?? current.passwordHash,
    changes.totpSecret === undefined ? current.totpSecret : changes.totpSecret,
    changes.disabledAt === undefined ? current.disabledAt : changes.disabledAt,
    now,
    id,
  ]);
}

export async function insertSession(db: Sql, session: SessionRow): Promise<void> {
  await db.run(`INSERT INTO sessions (id_hash, person_id, address, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)`, [
    session.idHash, session.personId, session.address, session.createdAt, session.lastSeenAt,
  ]);
}

export function sessionByHash(db: Sql, idHash: string): Promise<SessionRow | undefined> {
  return db.get<SessionRow>(`SELECT id_hash AS idHash, person_id AS personId, address, created_at AS createdAt, last_seen_at AS lastSeenAt
    FROM sessions WHERE id_hash = ?`, [idHash]);
}

export async function touchSession(db: Sql, idHash: string, now: number): Promise<void> {
  await db.run(`UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, [now, idHash]);
}

export async function deleteSession(db: Sql, idHash: string): Promise<void> {
  await db.run(`DELETE FROM sessions WHERE id_hash = ?`, [idHash]);
}

export async function deleteSessionsOf(db: Sql, personId: string): Promise<number> {
  return (await db.run(`DELETE FROM sessions WHERE person_id = ?`, [personId])).changes;
}

export async function insertApiKey(db: Sql, key: Omit<ApiKeyRow, 'lastUsedAt' | 'revokedAt'> & { keyHash: string }): Promise<void> {
  await db.run(`INSERT INTO api_keys (id, person_id, label, key_hash, created_at) VALUES (?, ?, ?, ?, ?)`, [
    key.id, key.personId, key.label, key.keyHash, key.createdAt,
  ]);
}

export function apiKeyByHash(db: Sql, keyHash: string): Promise<ApiKeyRow | undefined> {
  return db.get<ApiKeyRow>(`SELECT id, person_id AS personId, label, created_at AS createdAt, last_used_at AS lastUsedAt, revoked_at AS revokedAt
    FROM api_keys WHERE key_hash = ?`, [keyHash]);
}

export function apiKeysOf(db: Sql, personId: string): Promise<ApiKeyRow[]> {
  return db.all<ApiKeyRow>(`SELECT id, person_id AS personId, label, created_at AS createdAt, last_used_at AS lastUsedAt, revoked_at AS revokedAt
    FROM api_keys WHERE person_id = ? ORDER BY created_at DESC`, [personId]);
}

export async function markApiKeyUsed(db: Sql, id: string, now: number): Promise<void> {
  await db.run(`UPDATE api_keys SET last_used_at = ? WHERE id = ?`, [now, id]);
}

export async function revokeApiKey(db: Sql, id: string, personId: string, now: number): Promise<boolean> {
  return (await db.run(`UPDATE api_keys SET revoked_at = ? WHERE id = ? AND person_id = ? AND revoked_at IS NULL`, [now, id, personId])).changes === 1;
}

export function throttleRow(db: Sql, key: string): Promise<ThrottleRow | undefined> {
  return db.get<ThrottleRow>(`SELECT key, failures, last_failure_at AS lastFailureAt, blocked_until AS blockedUntil FROM sign_in_throttle WHERE key = ?`, [key]);
}

export async function saveThrottle(db: Sql, row: ThrottleRow): Promise<void> {
  await db.run(`INSERT INTO sign_in_throttle (key, failures, last_failure_at, blocked_until) VALUES (?, ?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at, blocked_until = excluded.blocked_until`, [
    row.key, row.failures, row.lastFailureAt, row.blockedUntil,
  ]);
}

export async function clearThrottle(db: Sql, key: string): Promise<void> {
  await db.run(`DELETE FROM sign_in_throttle WHERE key = ?`, [key]);
}

export async function insertAudit(db: Sql, entry: NewAuditEntry): Promise<number> {
  const row = await db.get<{ id: number | string }>(`INSERT INTO audit_log (at, actor_id, actor_email, actor_role, via, action, object_type, object_id, before, after, outcome, address)
      VALUES (@at, @actorId, @actorEmail, @actorRole, @via, @action, @objectType, @objectId, @before, @after, @outcome, @address) RETURNING id`, { ...entry });
  return Number(row!.id);
}

/**
 * Newest first. Each filter is a bound parameter; an absent one (null) matches everything. Each is
 * cast where it is tested for null, since PostgreSQL cannot type a bare parameter there.
 */
export function findAudit(db: Sql, filter: AuditFilter): Promise<AuditRow[]> {
  return db.all<AuditRow>(`SELECT ${auditColumns} FROM audit_log
    WHERE (CAST(@actor AS TEXT) IS NULL OR actor_email = @actor)
      AND (CAST(@action AS TEXT) IS NULL OR action = @action)
      AND (CAST(@objectId AS TEXT) IS NULL OR object_id = @objectId)
      AND (CAST(@from AS BIGINT) IS NULL OR at >= @from)
      AND (CAST(@to AS BIGINT) IS NULL OR at < @to)
      AND (CAST(@beforeId AS BIGINT) IS NULL OR id < @beforeId)
    ORDER BY id DESC LIMIT @limit`, {
    actor: filter.actor ?? null,
    action: filter.action ?? null,
    objectId: filter.objectId ?? null,
    from: filter.from ?? null,
    to: filter.to ?? null,
    beforeId: filter.beforeId ?? null,
    limit: filter.limit,
  });
}
