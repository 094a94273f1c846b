// The accounts service: people and their roles, sign-in, sessions, API keys, the second factor
// and the audit log. Every change it makes is written with its audit entry in one transaction.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  apiKeyByHash,
  apiKeysOf,
  closeOpenInvites,
  consumeInvite,
  countActiveOwners,
  deleteSession,
  deleteSessionsOf,
  insertApiKey,
  insertInvite,
  insertPerson,
  inviteByHash,
  insertSession,
  listPeople,
  markApiKeyUsed,
  personByEmail,
  personById,
  revokeApiKey,
  sellerExists,
  sellerPerson,
  sellerPersonByMsisdn,
  sessionByHash,
  touchSession,
  updatePerson,
  type ApiKeyRow,
  type AuditFilter,
  type AuditRow,
  type PersonRow,
  type Sql,
} from '../db';
import { DomainError } from '../domain-error';
import { auditCsv, readAudit, writeAudit, type ActionContext, type AuditEvent, type Caller } from './audit';
import { INVITE_TTL_MS, inviteHash, looksLikeInviteToken, newInviteToken } from './invites';
import { checkPassword, hashPassword, passwordMatches } from './passwords';
import { allows, isRole, type Role } from './roles';
import { ACCOUNT_POLICY, ADDRESS_POLICY, accountKey, addressKey, blockedFor, forget, recordFailure } from './throttle';
import { newTotpSecret, totpMatches, totpUri } from './totp';

export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_MAX_MS = 12 * 60 * 60_000;
// last_seen_at is written at most this often: a page and its assets are one visit, not five writes.
const TOUCH_EVERY_MS = 60_000;

export interface AccountsOptions {
  db: Sql;
  /** OWNER_2FA: owners must have a second factor before they can do anything. */
  owner2fa: boolean;
  clock?: () => number;
  sessionIdleMs?: number;
  sessionMaxMs?: number;
}

/** A person as the console shows them: never the hash or the TOTP secret. */
export interface PersonView {
  id: string;
  email: string;
  role: Role;
  twoFactor: boolean;
  disabled: boolean;
  createdAt: number;
}

export type SignInResult =
  | { ok: true; sessionId: string; person: PersonView; mustEnrol: boolean }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterS: number };

export interface SignInInput {
  email: unknown;
  password: unknown;
  code?: unknown;
  address: string | null;
  /** The session cookie the browser already had, if any: it is ended, never reused. */
  previousSessionId?: string | null;
}

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

function checkEmail(value: unknown): string {
  const email = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!EMAIL.test(email) || email.length > 254) throw new DomainError('invalid', 'invalid_field', 'email must be an email address', 'email');
  return email;
}

function checkRole(value: unknown): Role {
  if (!isRole(value)) throw new DomainError('invalid', 'invalid_field', 'role must be owner, operator or viewer', 'role');
  return value;
}

const view = (p: PersonRow): PersonView => ({
  id: p.id,
  email: p.email,
  role: p.role,
  twoFactor: p.totpSecret !== null,
  disabled: p.disabledAt !== null,
  createdAt: p.createdAt,
});

const summary = (p: PersonRow) => ({ email: p.email, role: p.role, disabled: p.disabledAt !== null, twoFactor: p.totpSecret !== null });

export type Accounts = ReturnType<typeof createAccounts>;

export function createAccounts(options: AccountsOptions) {
  const { db } = options;
  const clock = options.clock ?? Date.now;
  const idleMs = options.sessionIdleMs ?? SESSION_IDLE_MS;
  const maxMs = options.sessionMaxMs ?? SESSION_MAX_MS;

  const mustEnrol = (p: PersonRow) => options.owner2fa && p.role === 'owner' && p.totpSecret === null;
  const callerOf = (p: PersonRow, via: Caller['via']): Caller => ({
    personId: p.id,
    email: p.email,
    role: p.role,
    via,
    mustEnrol: mustEnrol(p),
    ...(p.role === 'seller' && p.sellerId !== null ? { sellerId: p.sellerId } : {}),
  });

  /**
   * Writes an audit entry. A caller inside a transaction of its own passes that transaction's
   * `tx`, so the entry lands (or not) with its change; a statement on `db` there would wait for
   * the transaction to end, which waits for it.
   */
  function audit(ctx: ActionContext, event: AuditEvent, on: Sql = db): Promise<number> {
    return writeAudit(on, ctx, event, clock());
  }

  /** Defence in depth: the web guard checks roles first, the service checks again. */
  function need(ctx: ActionContext, role: Role): void {
    if (!allows(ctx.caller.role, role) || ctx.caller.mustEnrol) {
      throw new DomainError('refused', 'forbidden', `This needs the ${role} role`);
    }
  }

  async function existing(q: Sql, id: string): Promise<PersonRow> {
    const person = await personById(q, id);
    if (!person) throw new DomainError('not_found', 'person_not_found', 'No person with this id');
    return person;
  }

  /** A console account; a seller's login is managed by invites, never by People. */
  async function operatorPerson(q: Sql, id: string): Promise<PersonRow> {
    const person = await existing(q, id);
    if (person.role === 'seller') throw new DomainError('not_found', 'person_not_found', 'No person with this id');
    return person;
  }

  /** An invite that can still be used at `now`, or a refusal the seller can act on. */
  async function openInvite(q: Sql, token: unknown, now: number) {
    const invite = looksLikeInviteToken(token) ? await inviteByHash(q, inviteHash(token)) : undefined;
    if (!invite || invite.usedAt !== null || invite.expiresAt <= now) {
      throw new DomainError('refused', 'invite_not_open', 'This invite link has expired or has already been used. Ask the shop for a new one.');
    }
    return invite;
  }

  /** Changing or disabling the last active owner would leave nobody able to manage people. */
  async function keepAnOwner(q: Sql, person: PersonRow, losesOwner: boolean): Promise<void> {
    if (losesOwner && person.role === 'owner' && person.disabledAt === null && (await countActiveOwners(q)) <= 1) {
      throw new DomainError('conflict', 'last_owner', 'Sokoni needs at least one active owner; add another owner first');
    }
  }

  type PersonChange = Parameters<typeof updatePerson>[2];

  async function changePerson(ctx: ActionContext, id: string, action: string, change: (tx: Sql, p: PersonRow) => PersonChange | Promise<PersonChange>, endSessions: boolean): Promise<PersonView> {
    need(ctx, 'owner');
    return db.transaction(async (tx) => {
      const before = await operatorPerson(tx, id);
      await updatePerson(tx, id, await change(tx, before), clock());
      if (endSessions) await deleteSessionsOf(tx, id);
      const after = await operatorPerson(tx, id);
      await audit(ctx, { action, objectType: 'person', objectId: id, before: summary(before), after: summary(after) }, tx);
      return view(after);
    });
  }

  interface Login {
    /** The throttle's account key. */
    key: string;
    /** Who tried, for the audit log of a refusal. */
    label: string;
    find: () => Promise<PersonRow | undefined>;
    refusal: string;
  }

  /** Sign-in by any login: throttled per account and address, one answer for every mistake, a fresh session. */
  async function signInWith(login: Login, input: Omit<SignInInput, 'email'>): Promise<SignInResult> {
    const now = clock();
    const password = typeof input.password === 'string' ? input.password.slice(0, 1024) : '';
    const keys = [login.key, ...(input.address ? [addressKey(input.address)] : [])];
    let waitMs = 0;
    for (const key of keys) waitMs = Math.max(waitMs, await blockedFor(db, key, now));
    const anonymous: ActionContext = { caller: { personId: null, email: login.label, role: 'viewer', via: 'session', mustEnrol: false }, address: input.address };
    if (waitMs > 0) {
      await writeAudit(db, anonymous, { action: 'sign_in', outcome: 'refused', after: 'throttled' }, now, 'sign_in');
      return { ok: false, reason: 'throttled', retryAfterS: Math.ceil(waitMs / 1000) };
    }
    const person = await login.find();
    const passwordOk = await passwordMatches(person?.passwordHash ?? null, password);
    const codeOk = !person?.totpSecret || totpMatches(person.totpSecret, input.code, now);
    if (!person || !passwordOk || !codeOk || person.disabledAt !== null) {
      await db.transaction(async (tx) => {
        await recordFailure(tx, login.key, ACCOUNT_POLICY, now);
        if (input.address) await recordFailure(tx, addressKey(input.address), ADDRESS_POLICY, now);
        await writeAudit(tx, anonymous, { action: 'sign_in', outcome: 'refused', after: login.refusal }, now, 'sign_in');
      });
      return { ok: false, reason: 'invalid' };
    }
    const sessionId = await openSession(db, person, input, now, (tx) => forget(tx, login.key));
    return { ok: true, sessionId, person: view(person), mustEnrol: mustEnrol(person) };
  }

  /**
   * A fresh random session id every time: a session id planted before sign-in is never promoted,
   * and the one the browser had is ended. `alsoInside` runs in the same transaction, which joins
   * the caller's when `q` is a transaction.
   */
  async function openSession(
    q: Sql,
    person: PersonRow,
    input: { address: string | null; previousSessionId?: string | null | undefined },
    now: number,
    alsoInside: (tx: Sql) => Promise<void>,
  ): Promise<string> {
    const sessionId = randomBytes(32).toString('base64url');
    await q.transaction(async (tx) => {
      if (input.previousSessionId) await deleteSession(tx, sha256(input.previousSessionId));
      await insertSession(tx, { idHash: sha256(sessionId), personId: person.id, address: input.address, createdAt: now, lastSeenAt: now });
      await alsoInside(tx);
      await writeAudit(tx, { caller: callerOf(person, 'session'), address: input.address }, { action: 'sign_in', objectType: 'person', objectId: person.id }, now, 'sign_in');
    });
    return sessionId;
  }

  return {
    /** `ctx` null: the first owner, created from the command line. */
    async createPerson(ctx: ActionContext | null, input: { email: unknown; role: unknown; password: unknown }): Promise<PersonView> {
      if (ctx) need(ctx, 'owner');
      const email = checkEmail(input.email);
      const role = checkRole(input.role);
      const passwordHash = await hashPassword(checkPassword(input.password));
      const id = randomUUID();
      const actor: ActionContext = ctx ?? { caller: { personId: null, email: 'command line', role: 'owner', via: 'cli', mustEnrol: false }, address: null };
      return db.transaction(async (tx) => {
        if (await personByEmail(tx, email)) throw new DomainError('conflict', 'email_taken', 'Someone already has this email', 'email');
        await insertPerson(tx, { id, email, role, passwordHash, createdAt: clock() });
        const person = await existing(tx, id);
        await audit(actor, { action: 'person.create', objectType: 'person', objectId: id, after: summary(person) }, tx);
        return view(person);
      });
    },

    people: async (): Promise<PersonView[]> => (await listPeople(db)).map(view),
    person: async (id: string): Promise<PersonView | undefined> => {
      const p = await personById(db, id);
      return p && view(p);
    },

    signIn(input: SignInInput): Promise<SignInResult> {
      const email = typeof input.email === 'string' ? input.email.trim().toLowerCase().slice(0, 254) : '';
      // A seller's login is no console account, whatever is typed here.
      const find = async () => {
        const person = email ? await personByEmail(db, email) : undefined;
        return person?.role === 'seller' ? undefined : person;
      };
      return signInWith({ key: accountKey(email), label: email || '(none)', find, refusal: 'wrong email, password or code' }, input);
    },

    /** A seller signs in with their MoMo number (normalised by the caller) and password; the same throttling and sessions. */
    sellerSignIn(input: Omit<SignInInput, 'email' | 'code'> & { msisdn: string }): Promise<SignInResult> {
      const msisdn = input.msisdn.slice(0, 32);
      const find = () => (msisdn ? sellerPersonByMsisdn(db, msisdn) : Promise.resolve(undefined));
      return signInWith({ key: accountKey(`seller:${msisdn}`), label: `seller number ${msisdn || '(none)'}`, find, refusal: 'wrong number or password' }, input);
    },

    /** The person behind a session cookie, or null when it is unknown, idle too long, too old, or its person disabled. */
    async sessionCaller(sessionId: string): Promise<Caller | null> {
      const now = clock();
      const idHash = sha256(sessionId);
      const session = await sessionByHash(db, idHash);
      if (!session) return null;
      const person = await personById(db, session.personId);
      if (!person || person.disabledAt !== null || now - session.lastSeenAt > idleMs || now - session.createdAt > maxMs) {
        await deleteSession(db, idHash);
        return null;
      }
      if (now - session.lastSeenAt >= TOUCH_EVERY_MS) await touchSession(db, idHash, now);
      return callerOf(person, 'session');
    },

    async signOut(ctx: ActionContext, sessionId: string): Promise<void> {
      await db.transaction(async (tx) => {
        await deleteSession(tx, sha256(sessionId));
        await audit(ctx, { action: 'sign_out', objectType: 'person', objectId: ctx.caller.personId }, tx);
      });
    },

    /** The person behind an API key, with their role as it is now. */
    async apiKeyCaller(key: string): Promise<Caller | null> {
      const row = await apiKeyByHash(db, sha256(key));
      if (!row || row.revokedAt !== null) return null;
      const person = await personById(db, row.personId);
      if (!person || person.disabledAt !== null) return null;
      await markApiKeyUsed(db, row.id, clock());
      return callerOf(person, 'api_key');
    },

    /**
     * A new key for the caller, shown once. 32 random bytes cannot be guessed, so a plain
     * SHA-256 is enough to store it (argon2's slowness protects low-entropy passwords).
     */
    async createApiKey(ctx: ActionContext, label: unknown): Promise<{ id: string; key: string }> {
      const personId = ctx.caller.role === 'seller' ? null : ctx.caller.personId;
      if (!personId) throw new DomainError('refused', 'no_person', 'Only a signed-in console person can hold API keys');
      const text = typeof label === 'string' ? label.trim() : '';
      if (text.length < 1 || text.length > 100) throw new DomainError('invalid', 'invalid_field', 'label must be 1 to 100 characters', 'label');
      const key = `sok_${randomBytes(32).toString('base64url')}`;
      const id = randomUUID();
      await db.transaction(async (tx) => {
        await insertApiKey(tx, { id, personId, label: text, keyHash: sha256(key), createdAt: clock() });
        await audit(ctx, { action: 'api_key.create', objectType: 'api_key', objectId: id, after: { label: text } }, tx);
      });
      return { id, key };
    },

    apiKeys: (personId: string): Promise<ApiKeyRow[]> => apiKeysOf(db, personId),

    async revokeApiKey(ctx: ActionContext, id: string): Promise<void> {
      await db.transaction(async (tx) => {
        if (!ctx.caller.personId || !(await revokeApiKey(tx, id, ctx.caller.personId, clock()))) {
          throw new DomainError('not_found', 'api_key_not_found', 'You have no such key');
        }
        await audit(ctx, { action: 'api_key.revoke', objectType: 'api_key', objectId: id }, tx);
      });
    },

    // async, so that a bad role is a rejection like every other refusal here.
    async changeRole(ctx: ActionContext, id: string, role: unknown): Promise<PersonView> {
      const next = checkRole(role);
      return await changePerson(ctx, id, 'person.role', async (tx, p) => {
        await keepAnOwner(tx, p, next !== 'owner');
        return { role: next };
      }, false);
    },

    /** Disabling ends every session of the person at once; their API keys stop with them. */
    disable(ctx: ActionContext, id: string): Promise<PersonView> {
      return changePerson(ctx, id, 'person.disable', async (tx, p) => {
        await keepAnOwner(tx, p, true);
        return { disabledAt: p.disabledAt ?? clock() };
      }, true);
    },

    enable(ctx: ActionContext, id: string): Promise<PersonView> {
      return changePerson(ctx, id, 'person.enable', () => ({ disabledAt: null }), false);
    },

    /** A new one-time password, shown once to the owner; the person's sessions and second factor are cleared. */
    async resetPassword(ctx: ActionContext, id: string): Promise<{ person: PersonView; password: string }> {
      need(ctx, 'owner');
      const password = randomBytes(12).toString('base64url');
      const passwordHash = await hashPassword(password);
      const person = await changePerson(ctx, id, 'person.reset', () => ({ passwordHash, totpSecret: null }), true);
      return { person, password };
    },

    async changeOwnPassword(ctx: ActionContext, current: unknown, next: unknown): Promise<void> {
      const person = await existing(db, ctx.caller.personId ?? '');
      const password = checkPassword(next, 'newPassword');
      if (!(await passwordMatches(person.passwordHash, typeof current === 'string' ? current : ''))) {
        throw new DomainError('refused', 'wrong_password', 'The current password is not right', 'currentPassword');
      }
      const passwordHash = await hashPassword(password);
      await db.transaction(async (tx) => {
        await updatePerson(tx, person.id, { passwordHash }, clock());
        await audit(ctx, { action: 'person.password', objectType: 'person', objectId: person.id }, tx);
      });
    },

    newTotpSecret: (ctx: ActionContext) => {
      const secret = newTotpSecret();
      return { secret, uri: totpUri(secret, ctx.caller.email) };
    },

    /** Turns the second factor on once the person shows a code from their app for `secret`. */
    async confirmTotp(ctx: ActionContext, secret: unknown, code: unknown): Promise<void> {
      if (typeof secret !== 'string' || !/^[A-Z2-7]{32}$/.test(secret)) throw new DomainError('invalid', 'invalid_field', 'secret is not one we gave', 'secret');
      if (!totpMatches(secret, code, clock())) throw new DomainError('refused', 'wrong_code', 'That code does not match; check the time on your phone', 'code');
      await db.transaction(async (tx) => {
        await updatePerson(tx, ctx.caller.personId ?? '', { totpSecret: secret }, clock());
        await audit(ctx, { action: 'person.two_factor', objectType: 'person', objectId: ctx.caller.personId, after: { twoFactor: true } }, tx);
      });
    },

    /** A single-use link for the seller to set a password (again), shown once to the operator; earlier open links stop working. */
    async createInvite(ctx: ActionContext, sellerId: string): Promise<{ token: string; expiresAt: number }> {
      need(ctx, 'operator');
      const now = clock();
      const token = newInviteToken();
      const id = randomUUID();
      const expiresAt = now + INVITE_TTL_MS;
      await db.transaction(async (tx) => {
        if (!(await sellerExists(tx, sellerId))) throw new DomainError('not_found', 'seller_not_found', 'No seller with this id');
        // Only the newest link works: the operator makes another when one was lost or leaked.
        await closeOpenInvites(tx, sellerId, now);
        await insertInvite(tx, { id, sellerId, tokenHash: inviteHash(token), createdBy: ctx.caller.personId, createdAt: now, expiresAt });
        await audit(ctx, { action: 'seller.invite', objectType: 'seller', objectId: sellerId, after: { invite: id, expiresAt: new Date(expiresAt).toISOString() } }, tx);
      });
      return { token, expiresAt };
    },

    /** Whether the seller has set a password yet, and when their login was made. */
    async sellerLogin(sellerId: string): Promise<{ since: number } | null> {
      const person = await sellerPerson(db, sellerId);
      return person ? { since: person.createdAt } : null;
    },

    /** Whose invite this is, while it can still be used; a refusal otherwise. */
    async invite(token: unknown): Promise<{ sellerName: string; expiresAt: number }> {
      const invite = await openInvite(db, token, clock());
      return { sellerName: invite.sellerName, expiresAt: invite.expiresAt };
    },

    /**
     * The seller sets a password with an open invite and is signed in. The invite is used up in
     * the same transaction that writes the password, and only if no other request used it first.
     * A seller who had a login gets the new password and loses every session they had.
     */
    async acceptInvite(input: { token: unknown; password: unknown; address: string | null; previousSessionId?: string | null }): Promise<{ sessionId: string }> {
      await openInvite(db, input.token, clock());
      const password = checkPassword(input.password);
      const passwordHash = await hashPassword(password);
      const now = clock();
      const sessionId = await db.transaction(async (tx) => {
        const invite = await openInvite(tx, input.token, now);
        if (!(await consumeInvite(tx, invite.id, now))) throw new DomainError('refused', 'invite_not_open', 'This invite link has already been used. Ask the shop for a new one.');
        let person = await sellerPerson(tx, invite.sellerId);
        if (person) {
          await updatePerson(tx, person.id, { passwordHash, disabledAt: null }, now);
          await deleteSessionsOf(tx, person.id);
        } else {
          await insertPerson(tx, { id: randomUUID(), email: `seller:${invite.sellerId}`, role: 'seller', passwordHash, createdAt: now, sellerId: invite.sellerId });
        }
        person = (await sellerPerson(tx, invite.sellerId))!;
        const ctx: ActionContext = { caller: callerOf(person, 'session'), address: input.address };
        await audit(ctx, { action: 'seller.invite_used', objectType: 'seller', objectId: invite.sellerId, after: { invite: invite.id, person: person.id } }, tx);
        return openSession(tx, person, input, now, () => Promise.resolve());
      });
      return { sessionId };
    },

    audit,
    auditLog: (filter: AuditFilter): Promise<AuditRow[]> => readAudit(db, filter),
    auditCsv: async (filter: AuditFilter): Promise<string> => auditCsv(await readAudit(db, filter)),
    /** The legacy ADMIN_TOKEN acts as an unnamed owner for one more release. */
    adminTokenCaller: (): Caller => ({ personId: null, email: 'ADMIN_TOKEN', role: 'owner', via: 'admin_token', mustEnrol: false }),
  };
}
