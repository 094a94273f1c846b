// The seller role in the accounts room, on a real SQLite file: it meets no operator need, no
// console path can make, change, disable or reset a seller's login or give it an API key, and
// migration 007 keeps every person, session and key it finds.
import { afterEach, describe, expect, it } from 'vitest';
import { allows, createAccounts, ROLES, type ActionContext } from '../../src/accounts';
import { applyMigrations, createSeller, SqliteSql } from '../../src/db';
import { applyMigrationsUpTo, tempDatabase, type TempDatabase } from '../db/helpers';

let temp: TempDatabase | undefined;
afterEach(() => {
  temp?.close();
  temp = undefined;
});

const PASSWORD = 'a long enough passphrase';

async function withSellerLogin() {
  temp = tempDatabase();
  const accounts = createAccounts({ db: new SqliteSql(temp.db), owner2fa: false });
  const owner = await accounts.createPerson(null, { email: 'owner@example.com', role: 'owner', password: PASSWORD });
  const ownerCtx: ActionContext = { caller: { personId: owner.id, email: owner.email, role: 'owner', via: 'session', mustEnrol: false }, address: null };
  const seller = await createSeller(new SqliteSql(temp.db), { name: 'Duka', msisdn: '256772000111', shareBps: 8000 });
  const { token } = await accounts.createInvite(ownerCtx, seller.id);
  const { sessionId } = await accounts.acceptInvite({ token, password: PASSWORD, address: null });
  const caller = (await accounts.sessionCaller(sessionId))!;
  return { accounts, ownerCtx, seller, caller, sellerCtx: { caller, address: null } as ActionContext };
}

describe('the seller role', () => {
  it('meets no console need, and no console role meets a seller\'s', () => {
    for (const needed of ROLES) expect(allows('seller', needed)).toBe(false);
    for (const role of ROLES) expect(allows(role, 'seller')).toBe(false);
    expect(allows('seller', 'seller')).toBe(true);
  });

  it('is never made or given through People or the command line', async () => {
    const { accounts, ownerCtx, caller } = await withSellerLogin();
    await expect(accounts.createPerson(null, { email: 'x@example.com', role: 'seller', password: PASSWORD })).rejects.toMatchObject({ kind: 'invalid', field: 'role' });
    const operator = await accounts.createPerson(ownerCtx, { email: 'op@example.com', role: 'operator', password: PASSWORD });
    await expect(accounts.changeRole(ownerCtx, operator.id, 'seller')).rejects.toMatchObject({ kind: 'invalid' });
    for (const act of [() => accounts.changeRole(ownerCtx, caller.personId!, 'owner'), () => accounts.disable(ownerCtx, caller.personId!), () => accounts.enable(ownerCtx, caller.personId!)]) {
      await expect(act()).rejects.toMatchObject({ kind: 'not_found' });
    }
    await expect(accounts.resetPassword(ownerCtx, caller.personId!)).rejects.toMatchObject({ kind: 'not_found' });
    expect((await accounts.people()).map((p) => p.email)).toEqual(['op@example.com', 'owner@example.com']);
  });

  it('is bound to its seller, holds no API key, and does not sign in to the console', async () => {
    const { accounts, seller, caller, sellerCtx } = await withSellerLogin();
    expect(caller).toMatchObject({ role: 'seller', sellerId: seller.id, email: `seller:${seller.id}` });
    await expect(accounts.createApiKey(sellerCtx, 'mine')).rejects.toMatchObject({ kind: 'refused' });
    await expect(accounts.createInvite(sellerCtx, seller.id)).rejects.toMatchObject({ kind: 'refused' });
    expect(await accounts.signIn({ email: `seller:${seller.id}`, password: PASSWORD, address: null })).toEqual({ ok: false, reason: 'invalid' });
    expect(await accounts.sellerSignIn({ msisdn: '256772000111', password: PASSWORD, address: null })).toMatchObject({ ok: true });
  });
});

describe('migration 007', () => {
  it('keeps every person, session and API key, and their links', async () => {
    temp = tempDatabase({ migrate: false });
    applyMigrationsUpTo(temp.db, '006_refunds.sql');
    // Rows as the code before 007 wrote them (today's code reads columns 007 adds).
    const now = Date.now();
    temp.db.prepare(`INSERT INTO people (id, email, role, password_hash, created_at, updated_at) VALUES ('p1', 'owner@example.com', 'owner', 'hash', ?, ?)`).run(now, now);
    temp.db.prepare(`INSERT INTO sessions (id_hash, person_id, created_at, last_seen_at) VALUES ('s1', 'p1', ?, ?)`).run(now, now);
    temp.db.prepare(`INSERT INTO api_keys (id, person_id, label, key_hash, created_at) VALUES ('k1', 'p1', 'script', 'kh', ?)`).run(now);

    expect(applyMigrations(temp.db)).toContain('007_seller_accounts.sql');
    expect(await createAccounts({ db: new SqliteSql(temp.db), owner2fa: false }).people()).toEqual([expect.objectContaining({ id: 'p1', email: 'owner@example.com', role: 'owner' })]);
    expect(temp.db.prepare('SELECT person_id FROM sessions').pluck().all()).toEqual(['p1']);
    expect(temp.db.prepare('SELECT person_id FROM api_keys').pluck().all()).toEqual(['p1']);
    // The keys still point at people: removing a person with a session is refused.
    expect(() => temp!.db.prepare(`DELETE FROM people WHERE id = 'p1'`).run()).toThrow(/FOREIGN KEY/);
    expect(temp.db.pragma('foreign_key_check')).toEqual([]);
  });
});
