// The accounts service over the suite's database (a real SQLite file, or PostgreSQL): passwords, throttling, sessions, API keys, the
// second factor and the append-only audit log. Time is a hand-moved clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT_POLICY, createAccounts, totpCode, type Accounts, type ActionContext } from '../../src/accounts';
import type { Sql } from '../../src/db';
import { testSql, type TestSql } from '../db/test-database';

const PASSWORD = 'correct horse battery';
let t: TestSql;
let now: number;
let sql: Sql;
let accounts: Accounts;

const ownerCtx = (id: string): ActionContext => ({ caller: { personId: id, email: 'owner@example.com', role: 'owner', via: 'session', mustEnrol: false }, address: '10.0.0.1' });

beforeEach(async () => {
  t = await testSql();
  now = Date.UTC(2026, 0, 1, 9);
  sql = t.sql;
  accounts = createAccounts({ db: sql, owner2fa: false, clock: () => now });
});
afterEach(() => t.close());

const signIn = (email: string, password: string, extra: { code?: string; address?: string } = {}) =>
  accounts.signIn({ email, password, code: extra.code, address: extra.address ?? '10.0.0.9' });

describe('people', () => {
  it('stores an argon2id hash, never the password, and refuses short passwords, bad roles and taken emails', async () => {
    const person = await accounts.createPerson(null, { email: 'Owner@Example.com', role: 'owner', password: PASSWORD });
    expect(person.email).toBe('owner@example.com');
    const stored = (await sql.get<{ hash: string }>('SELECT password_hash AS hash FROM people'))!.hash;
    expect(stored.startsWith('$argon2id$')).toBe(true);
    expect(stored).not.toContain(PASSWORD);
    await expect(accounts.createPerson(null, { email: 'a@example.com', role: 'viewer', password: 'elevenchars' })).rejects.toMatchObject({ code: 'weak_password', field: 'password' });
    await expect(accounts.createPerson(null, { email: 'a@example.com', role: 'admin', password: PASSWORD })).rejects.toMatchObject({ field: 'role' });
    await expect(accounts.createPerson(null, { email: 'OWNER@example.com', role: 'viewer', password: PASSWORD })).rejects.toMatchObject({ code: 'email_taken' });
    expect(await t.count('people')).toBe(1);
  });

  it('keeps at least one active owner', async () => {
    const owner = await accounts.createPerson(null, { email: 'owner@example.com', role: 'owner', password: PASSWORD });
    await expect(accounts.disable(ownerCtx(owner.id), owner.id)).rejects.toThrow(/at least one active owner/);
    await expect(accounts.changeRole(ownerCtx(owner.id), owner.id, 'viewer')).rejects.toThrow(/at least one active owner/);
  });

  it('lets only owners manage people', async () => {
    const owner = await accounts.createPerson(null, { email: 'owner@example.com', role: 'owner', password: PASSWORD });
    const operator: ActionContext = { caller: { personId: 'x', email: 'op@example.com', role: 'operator', via: 'session', mustEnrol: false }, address: null };
    await expect(accounts.disable(operator, owner.id)).rejects.toThrow(/owner role/);
  });
});

describe('sign-in', () => {
  it('gives the same answer for an unknown email and a wrong password', async () => {
    await accounts.createPerson(null, { email: 'owner@example.com', role: 'owner', password: PASSWORD });
    expect(await signIn('nobody@example.com', PASSWORD)).toEqual({ ok: false, reason: 'invalid' });
    expect(await signIn('owner@example.com', 'wrong password!!')).toEqual({ ok: false, reason: 'invalid' });
    expect((await signIn('owner@example.com', PASSWORD)).ok).toBe(true);
  });

  it('blocks an account after a few failures, for longer after each further one, even with the right password', async () => {
    await accounts.createPerson(null, { email: 'owner@example.com', role: 'owner', password: PASSWORD });
    for (let i = 0; i < ACCOUNT_POLICY.free; i += 1) expect((await signIn('owner@example.com', 'wrong password!!', { address: `10.1.0.${i}` })).ok).toBe(false);
    const first = await signIn('owner@example.com', PASSWORD, { address: '10.2.0.1' });
    expect(first).toEqual({ ok: false, reason: 'throttled', retryAfterS: ACCOUNT_POLICY.firstBlockMs / 1000 });
    now += ACCOUNT_POLICY.firstBlockMs;
    expect(await signIn('owner@example.com', 'wrong password!!', { address: '10.2.0.2' })).toEqual({ ok: false, reason: 'invalid' });
    // The next block is twice as long.
    expect(await signIn('owner@example.com', PASSWORD, { address: '10.2.0.3' })).toEqual({ ok: false, reason: 'throttled', retryAfterS: (2 * ACCOUNT_POLICY.firstBlockMs) / 1000 });
    now += 2 * ACCOUNT_POLICY.firstBlockMs;
    expect((await signIn('owner@example.com', PASSWORD, { address: '10.2.0.4' })).ok).toBe(true);
    // Success forgets the account's failures.
    expect((await signIn('owner@example.com', 'wrong password!!', { address: '10.2.0.5' })).ok).toBe(false);
    expect((await signIn('owner@example.com', PASSWORD, { address: '10.2.0.6' })).ok).toBe(true);
  });

  it('blocks an address that tries many accounts, and unknown emails like known ones', async () => {
    for (let i = 0; i < 10; i += 1) await signIn(`guess${i}@example.com`, 'wrong password!!', { address: '10.9.9.9' });
    expect(await signIn('someone@example.com', 'anything at all', { address: '10.9.9.9' })).toMatchObject({ reason: 'throttled' });
    for (let i = 0; i < 3; i += 1) await signIn('ghost@example.com', 'wrong password!!', { address: `10.3.0.${i}` });
    expect(await signIn('ghost@example.com', 'wrong password!!', { address: '10.4.0.1' })).toMatchObject({ reason: 'throttled' });
  });

  it('refuses a disabled person with the same answer', async () => {
    const owner = await accounts.createPerson(null, { email: 'owner@example.com', role: 'owner', password: PASSWORD });
    const viewer = await accounts.createPerson(ownerCtx(owner.id), { email: 'v@example.com', role: 'viewer', password: PASSWORD });
    await accounts.disable(ownerCtx(owner.id), viewer.id);
    expect(await signIn('v@example.com', PASSWORD)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('asks for the TOTP code once set up, and makes owners set it up under OWNER_2FA', async () => {
    accounts = createAccounts({ db: sql, owner2fa: true, clock: () => now });
    await accounts.createPerson(null, { email: 'owner@example.com', role: 'owner', password: PASSWORD });
    const first = await signIn('owner@example.com', PASSWORD);
    if (!first.ok) throw new Error('sign-in failed');
    expect(first.mustEnrol).toBe(true);
    const caller = (await accounts.sessionCaller(first.sessionId))!;
    expect(caller.mustEnrol).toBe(true);
    const { secret } = accounts.newTotpSecret({ caller, address: null });
    await expect(accounts.confirmTotp({ caller, address: null }, secret, '000000')).rejects.toThrow(/does not match/);
    await accounts.confirmTotp({ caller, address: null }, secret, totpCode(secret, now));
    expect(await signIn('owner@example.com', PASSWORD)).toEqual({ ok: false, reason: 'invalid' });
    const second = await signIn('owner@example.com', PASSWORD, { code: totpCode(secret, now) });
    expect(second).toMatchObject({ ok: true, mustEnrol: false });
  });
});

describe('sessions', () => {
  async function session(): Promise<string> {
    await accounts.createPerson(null, { email: 'owner@example.com', role: 'owner', password: PASSWORD });
    const result = await signIn('owner@example.com', PASSWORD);
    if (!result.ok) throw new Error('sign-in failed');
    return result.sessionId;
  }

  it('stores only a hash of the id, and ends after 30 idle minutes', async () => {
    const id = await session();
    expect((await sql.get<{ hash: string }>('SELECT id_hash AS hash FROM sessions'))?.hash).not.toBe(id);
    now += 29 * 60_000;
    expect((await accounts.sessionCaller(id))?.email).toBe('owner@example.com');
    now += 29 * 60_000;
    expect(await accounts.sessionCaller(id)).not.toBeNull();
    now += 31 * 60_000;
    expect(await accounts.sessionCaller(id)).toBeNull();
    expect(await t.count('sessions')).toBe(0);
  });

  it('ends after 12 hours however busy', async () => {
    const id = await session();
    for (let minutes = 0; minutes < 12 * 60 - 20; minutes += 20) {
      now += 20 * 60_000;
      expect(await accounts.sessionCaller(id)).not.toBeNull();
    }
    now += 21 * 60_000;
    expect(await accounts.sessionCaller(id)).toBeNull();
  });

  it('rotates the id at sign-in and ends it at sign-out and when the person is disabled', async () => {
    const first = await session();
    const again = await accounts.signIn({ email: 'owner@example.com', password: PASSWORD, address: null, previousSessionId: first });
    if (!again.ok) throw new Error('sign-in failed');
    expect(again.sessionId).not.toBe(first);
    expect(await accounts.sessionCaller(first)).toBeNull();
    const caller = (await accounts.sessionCaller(again.sessionId))!;
    await accounts.signOut({ caller, address: null }, again.sessionId);
    expect(await accounts.sessionCaller(again.sessionId)).toBeNull();

    const owner = (await accounts.people())[0]!;
    await accounts.createPerson(ownerCtx(owner.id), { email: 'op@example.com', role: 'operator', password: PASSWORD });
    const op = await signIn('op@example.com', PASSWORD);
    if (!op.ok) throw new Error('sign-in failed');
    expect((await accounts.sessionCaller(op.sessionId))?.role).toBe('operator');
    await accounts.disable(ownerCtx(owner.id), op.person.id);
    expect(await accounts.sessionCaller(op.sessionId)).toBeNull();
  });
});

describe('API keys', () => {
  it('are shown once, stored hashed, act with the person’s current role, and stop when revoked or disabled', async () => {
    const owner = await accounts.createPerson(null, { email: 'owner@example.com', role: 'owner', password: PASSWORD });
    const op = await accounts.createPerson(ownerCtx(owner.id), { email: 'op@example.com', role: 'operator', password: PASSWORD });
    const opCtx: ActionContext = { caller: { personId: op.id, email: op.email, role: 'operator', via: 'session', mustEnrol: false }, address: null };
    const { id, key } = await accounts.createApiKey(opCtx, 'payout script');
    expect(key).toMatch(/^sok_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(await sql.all('SELECT * FROM api_keys'))).not.toContain(key);
    expect(await accounts.apiKeyCaller(key)).toMatchObject({ email: 'op@example.com', role: 'operator', via: 'api_key' });
    await accounts.changeRole(ownerCtx(owner.id), op.id, 'viewer');
    expect((await accounts.apiKeyCaller(key))?.role).toBe('viewer');
    await accounts.revokeApiKey(opCtx, id);
    expect(await accounts.apiKeyCaller(key)).toBeNull();
    const second = await accounts.createApiKey(opCtx, 'another');
    await accounts.disable(ownerCtx(owner.id), op.id);
    expect(await accounts.apiKeyCaller(second.key)).toBeNull();
    expect(await accounts.apiKeyCaller('sok_not-a-key')).toBeNull();
  });
});

describe('the audit log', () => {
  it('records each action with who, role, object, before and after, and refuses changes and removals', async () => {
    const owner = await accounts.createPerson(null, { email: 'owner@example.com', role: 'owner', password: PASSWORD });
    const viewer = await accounts.createPerson(ownerCtx(owner.id), { email: 'v@example.com', role: 'viewer', password: PASSWORD });
    await accounts.changeRole(ownerCtx(owner.id), viewer.id, 'operator');
    const [entry] = await accounts.auditLog({ action: 'person.role', limit: 10 });
    expect(entry).toMatchObject({ actorEmail: 'owner@example.com', actorRole: 'owner', via: 'session', objectType: 'person', objectId: viewer.id, outcome: 'done', address: '10.0.0.1' });
    expect(JSON.parse(entry!.before!)).toMatchObject({ role: 'viewer' });
    expect(JSON.parse(entry!.after!)).toMatchObject({ role: 'operator' });
    await expect(sql.run('UPDATE audit_log SET actor_email = ?', ['someone else'])).rejects.toThrow(/append-only/);
    await expect(sql.run('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    expect((await accounts.auditLog({ actor: 'owner@example.com', limit: 10 })).map((e) => e.action)).toEqual(['person.role', 'person.create']);
  });

  it('writes an entry inside a caller’s own transaction, landing with it or not at all', async () => {
    const owner = await accounts.createPerson(null, { email: 'owner@example.com', role: 'owner', password: PASSWORD });
    await sql.transaction(async (tx) => {
      await accounts.audit(ownerCtx(owner.id), { action: 'kept' }, tx);
    });
    const failing = sql.transaction(async (tx) => {
      await accounts.audit(ownerCtx(owner.id), { action: 'rolled_back' }, tx);
      throw new Error('the change failed');
    });
    await expect(failing).rejects.toThrow('the change failed');
    expect((await accounts.auditLog({ limit: 10 })).map((e) => e.action)).toEqual(['kept', 'person.create']);
  });

  it('exports CSV with quoting, and defuses spreadsheet formulas', async () => {
    const owner = await accounts.createPerson(null, { email: 'owner@example.com', role: 'owner', password: PASSWORD });
    await accounts.audit(ownerCtx(owner.id), { action: 'note', objectId: '=HYPERLINK("x")', after: { text: 'a, "b"' } });
    const csv = await accounts.auditCsv({ limit: 10 });
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('id,at,actor_email,actor_role,via,action,object_type,object_id,before,after,outcome,address');
    expect(lines[1]).toContain(`"'=HYPERLINK(""x"")"`);
    expect(lines[1]).toContain(`"{""text"":""a, \\""b\\""""}"`);
  });
});
