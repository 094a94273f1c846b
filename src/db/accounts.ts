// Every SQL statement about operators and sellers' logins: people, sessions, API keys, seller
// invites, sign-in throttling and the audit log. Decisions (who may do what, when a session has expired) are src/accounts'.
import type { Database } from './connection';
import { statement } from './statements';

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

export function insertPerson(db: Database, person: Omit<PersonRow, 'disabledAt' | 'updatedAt' | 'totpSecret' | 'sellerId'> & { sellerId?: string }): void {
  statement(db, `INSERT INTO people (id, email, role, password_hash, created_at, updated_at, seller_id) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
    person.id, person.email, person.role, person.passwordHash, person.createdAt, person.createdAt, person.sellerId ?? null,
  );
}

/** The login of the seller holding `msisdn`: an active seller's before an inactive one's. */
export function sellerPersonByMsisdn(db: Database, msisdn: string): PersonRow | undefined {
  return statement(db, `SELECT ${personColumns} FROM people WHERE seller_id IN (SELECT id FROM sellers WHERE msisdn = ?)
    ORDER BY (SELECT active FROM sellers WHERE sellers.id = people.seller_id) DESC, created_at LIMIT 1`).get(msisdn) as PersonRow | undefined;
}

export function sellerPerson(db: Database, sellerId: string): PersonRow | undefined {
  return statement(db, `SELECT ${personColumns} FROM people WHERE seller_id = ?`).get(sellerId) as PersonRow | undefined;
}

export function sellerExists(db: Database, sellerId: string): boolean {
  return statement(db, `SELECT 1 FROM sellers WHERE id = ?`).get(sellerId) !== undefined;
}

export function insertInvite(db: Database, invite: { id: string; sellerId: string; tokenHash: string; createdBy: string | null; createdAt: number; expiresAt: number }): void {
  statement(db, `INSERT INTO seller_invites (id, seller_id, token_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`).run(
    invite.id, invite.sellerId, invite.tokenHash, invite.createdBy, invite.createdAt, invite.expiresAt,
  );
}

export function inviteByHash(db: Database, tokenHash: string): InviteRow | undefined {
  return statement(db, `SELECT seller_invites.id, seller_id AS sellerId, sellers.name AS sellerName, seller_invites.created_at AS createdAt,
    expires_at AS expiresAt, used_at AS usedAt FROM seller_invites JOIN sellers ON sellers.id = seller_invites.seller_id WHERE token_hash = ?`).get(tokenHash) as
    | InviteRow
    | undefined;
}

/** Marks the invite used if it still was open at `now`; false when another request used it first or it has expired. */
export function consumeInvite(db: Database, id: string, now: number): boolean {
  return statement(db, `UPDATE seller_invites SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?`).run(now, id, now).changes === 1;
}

export function personById(db: Database, id: string): PersonRow | undefined {
  return statement(db, `SELECT ${personColumns} FROM people WHERE id = ?`).get(id) as PersonRow | undefined;
}

export function personByEmail(db: Database, email: string): PersonRow | undefined {
  return statement(db, `SELECT ${personColumns} FROM people WHERE email = ?`).get(email) as PersonRow | undefined;
}

/** The console's people; sellers' logins are not among them. */
export function listPeople(db: Database): PersonRow[] {
  return statement(db, `SELECT ${personColumns} FROM people WHERE role != 'seller' ORDER BY email`).all() as PersonRow[];
}

export function countActiveOwners(db: Database): number {
  return (statement(db, `SELECT count(*) AS n FROM people WHERE role = 'owner' AND disabled_at IS NULL`).get() as { n: number }).n;
}

export function updatePerson(db: Database, id: string, changes: { role?: Role; passwordHash?: string; totpSecret?: string | null; disabledAt?: number | null }, now: number): void {
  const current = personById(db, id);
  if (!current) return;
  statement(db, `UPDATE people SET role = ?, password_hash = ?, totp_secret = ?, disabled_at = ?, updated_at = ? WHERE id = ?`).run(
    changes.role ?? current.role,
    changes.passwordHash ?? current.passwordHash,
    changes.totpSecret === undefined ? current.totpSecret : changes.totpSecret,
    changes.disabledAt === undefined ? current.disabledAt : changes.disabledAt,
    now,
    id,
  );
}

export function insertSession(db: Database, session: SessionRow): void {
  statement(db, `INSERT INTO sessions (id_hash, person_id, address, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)`).run(
    session.idHash, session.personId, session.address, session.createdAt, session.lastSeenAt,
  );
}

export function sessionByHash(db: Database, idHash: string): SessionRow | undefined {
  return statement(db, `SELECT id_hash AS idHash, person_id AS personId, address, created_at AS createdAt, last_seen_at AS lastSeenAt
    FROM sessions WHERE id_hash = ?`).get(idHash) as SessionRow | undefined;
}

export function touchSession(db: Database, idHash: string, now: number): void {
  statement(db, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`).run(now, idHash);
}

export function deleteSession(db: Database, idHash: string): void {
  statement(db, `DELETE FROM sessions WHERE id_hash = ?`).run(idHash);
}

export function deleteSessionsOf(db: Database, personId: string): number {
  return statement(db, `DELETE FROM sessions WHERE person_id = ?`).run(personId).changes;
}

export function insertApiKey(db: Database, key: Omit<ApiKeyRow, 'lastUsedAt' | 'revokedAt'> & { keyHash: string }): void {
  statement(db, `INSERT INTO api_keys (id, person_id, label, key_hash, created_at) VALUES (?, ?, ?, ?, ?)`).run(
    key.id, key.personId, key.label, key.keyHash, key.createdAt,
  );
}

export function apiKeyByHash(db: Database, keyHash: string): ApiKeyRow | undefined {
  return statement(db, `SELECT id, person_id AS personId, label, created_at AS createdAt, last_used_at AS lastUsedAt, revoked_at AS revokedAt
    FROM api_keys WHERE key_hash = ?`).get(keyHash) as ApiKeyRow | undefined;
}

export function apiKeysOf(db: Database, personId: string): ApiKeyRow[] {
  return statement(db, `SELECT id, person_id AS personId, label, created_at AS createdAt, last_used_at AS lastUsedAt, revoked_at AS revokedAt
    FROM api_keys WHERE person_id = ? ORDER BY created_at DESC`).all(personId) as ApiKeyRow[];
}

export function markApiKeyUsed(db: Database, id: string, now: number): void {
  statement(db, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`).run(now, id);
}

export function revokeApiKey(db: Database, id: string, personId: string, now: number): boolean {
  return statement(db, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND person_id = ? AND revoked_at IS NULL`).run(now, id, personId).changes === 1;
}

export function throttleRow(db: Database, key: string): ThrottleRow | undefined {
  return statement(db, `SELECT key, failures, last_failure_at AS lastFailureAt, blocked_until AS blockedUntil FROM sign_in_throttle WHERE key = ?`).get(key) as
    | ThrottleRow
    | undefined;
}

export function saveThrottle(db: Database, row: ThrottleRow): void {
  statement(db, `INSERT INTO sign_in_throttle (key, failures, last_failure_at, blocked_until) VALUES (?, ?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at, blocked_until = excluded.blocked_until`).run(
    row.key, row.failures, row.lastFailureAt, row.blockedUntil,
  );
}

export function clearThrottle(db: Database, key: string): void {
  statement(db, `DELETE FROM sign_in_throttle WHERE key = ?`).run(key);
}

export function insertAudit(db: Database, entry: NewAuditEntry): number {
  return Number(
    statement(db, `INSERT INTO audit_log (at, actor_id, actor_email, actor_role, via, action, object_type, object_id, before, after, outcome, address)
      VALUES (@at, @actorId, @actorEmail, @actorRole, @via, @action, @objectType, @objectId, @before, @after, @outcome, @address)`).run(entry).lastInsertRowid,
  );
}

/** Newest first. Each filter is a bound parameter; an absent one matches everything. */
export function findAudit(db: Database, filter: AuditFilter): AuditRow[] {
  return statement(db, `SELECT ${auditColumns} FROM audit_log
    WHERE (@actor IS NULL OR actor_email = @actor)
      AND (@action IS NULL OR action = @action)
      AND (@objectId IS NULL OR object_id = @objectId)
      AND (@from IS NULL OR at >= @from)
      AND (@to IS NULL OR at < @to)
      AND (@beforeId IS NULL OR id < @beforeId)
    ORDER BY id DESC LIMIT @limit`).all({
    actor: filter.actor ?? null,
    action: filter.action ?? null,
    objectId: filter.objectId ?? null,
    from: filter.from ?? null,
    to: filter.to ?? null,
    beforeId: filter.beforeId ?? null,
    limit: filter.limit,
  }) as AuditRow[];
}
