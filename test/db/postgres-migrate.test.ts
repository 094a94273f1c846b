// The PostgreSQL migrations' runner: several instances starting at once apply each migration
// once; a failing migration leaves nothing of itself; and the ledger's and audit log's
// append-only rules hold as they do on SQLite.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPostgresMigrations, MigrationError, POSTGRES_MIGRATIONS_DIR } from '../../src/db';
import { pendingPostgresMigrations } from '../../src/db/postgres-migrate';
import { PostgresSql } from '../../src/db/postgres-sql';
import { tempDir } from './helpers';
import { freshPostgresUntil, postgres } from './postgres-helpers';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const fresh = () => freshPostgresUntil(cleanups);

const all = fs.readdirSync(POSTGRES_MIGRATIONS_DIR).filter((name) => name.endsWith('.sql')).sort();

describe.skipIf(postgres.url === null)('applyPostgresMigrations', () => {
  it('applies each migration once when several instances start at once, and nothing the second time', async () => {
    const { sql, url } = await fresh();
    const instances = [sql, PostgresSql.connect(url, { max: 1 }), PostgresSql.connect(url, { max: 1 })];
    for (const other of instances.slice(1)) cleanups.push(() => other.end());
    const applied = await Promise.all(instances.map((instance) => applyPostgresMigrations(instance)));
    expect(applied.flat().sort()).toEqual(all);
    expect(await sql.all('SELECT name FROM schema_migrations ORDER BY name')).toEqual(all.map((name) => ({ name })));
    expect(await applyPostgresMigrations(sql)).toEqual([]);
  });

  it('tells what a database has not had yet (npm run reconcile refuses a database behind): all of them before the first run, none after', async () => {
    const { sql } = await fresh();
    expect(await pendingPostgresMigrations(sql)).toEqual(all);
    await applyPostgresMigrations(sql);
    expect(await pendingPostgresMigrations(sql)).toEqual([]);
  });

  it('a failing migration leaves nothing of itself and names its file; the ones before it stay', async () => {
    const { sql } = await fresh();
    const folder = tempDir();
    cleanups.push(folder.remove);
    fs.copyFileSync(path.join(POSTGRES_MIGRATIONS_DIR, '001_initial.sql'), path.join(folder.dir, '001_initial.sql'));
    fs.writeFileSync(path.join(folder.dir, '002_broken.sql'), 'CREATE TABLE half_done (id BIGINT);\nALTER TABLE no_such_table ADD COLUMN x BIGINT;\n');
    const failure = await applyPostgresMigrations(sql, folder.dir).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as MigrationError).message).toMatch(/migration 002_broken\.sql failed: .*no_such_table/);
    expect(await sql.all('SELECT name FROM schema_migrations')).toEqual([{ name: '001_initial.sql' }]);
    expect(await sql.get("SELECT to_regclass('half_done') AS t")).toEqual({ t: null });
  });

  it('keeps the ledger and the audit log append-only, an entry in its journal’s currency, and a resolved item resolved', async () => {
    const { sql } = await fresh();
    await applyPostgresMigrations(sql);
    const journal = await sql.get<{ id: number }>("INSERT INTO journals (kind, currency, at) VALUES ('suspense', 'EUR', 1) RETURNING id");
    await sql.run("INSERT INTO entries (journal_id, account, currency, amount_minor, at) VALUES (?, 'suspense', 'EUR', 5, 1)", [journal!.id]);
    await expect(sql.run('UPDATE journals SET at = 2')).rejects.toThrow('journals are append-only: post a correcting journal');
    await expect(sql.run('DELETE FROM journals')).rejects.toThrow('journals are append-only');
    await expect(sql.run('UPDATE entries SET amount_minor = 6')).rejects.toThrow('ledger entries are append-only');
    await expect(sql.run('DELETE FROM entries')).rejects.toThrow('ledger entries are append-only');
    await expect(sql.run("INSERT INTO entries (journal_id, account, currency, amount_minor, at) VALUES (?, 'suspense', 'USD', 5, 1)", [journal!.id])).rejects.toThrow(
      "an entry must be in its journal's currency",
    );
    await sql.run("INSERT INTO audit_log (at, actor_email, actor_role, via, action, outcome) VALUES (1, 'a@b.c', 'owner', 'cli', 'x', 'done')");
    await expect(sql.run("UPDATE audit_log SET action = 'y'")).rejects.toThrow('audit_log is append-only');
    await expect(sql.run('DELETE FROM audit_log')).rejects.toThrow('audit_log is append-only');
    const run = await sql.get<{ id: number }>("INSERT INTO reconciliations (from_at, to_at, started_by, started_at) VALUES (0, 1, 'x', 1) RETURNING id");
    await sql.run("INSERT INTO reconciliation_items (reconciliation_id, kind, expected, actual) VALUES (?, 'status', 'a', 'b')", [run!.id]);
    expect(await sql.run("UPDATE reconciliation_items SET resolved_at = 2, resolved_by = 'x', resolution_note = 'ok'")).toEqual({ changes: 1 });
    await expect(sql.run("UPDATE reconciliation_items SET resolution_note = 'again'")).rejects.toThrow('a resolved reconciliation item is kept as it was resolved');
    await expect(sql.run('DELETE FROM reconciliation_items')).rejects.toThrow('reconciliation items are kept');
    expect(await sql.get('SELECT count(*) AS n FROM entries')).toEqual({ n: 1 });
  });

  it('keeps the CHECKs it widened: a refund movement and a cancelled payout are allowed, a cancelled collection is not', async () => {
    const { sql } = await fresh();
    await applyPostgresMigrations(sql);
    await sql.run("INSERT INTO sellers (id, name, msisdn, share_bps, created_at, updated_at) VALUES ('s', 'S', '25670000000', 8000, 1, 1)");
    await sql.run("INSERT INTO products (id, seller_id, name, price_minor, currency, created_at, updated_at) VALUES ('p', 's', 'P', 100, 'EUR', 1, 1)");
    await sql.run(`INSERT INTO orders (id, product_id, seller_id, qty, unit_price_minor, amount_minor, currency, seller_share_bps,
      seller_amount_minor, platform_amount_minor, payer_msisdn, status, created_at, updated_at)
      VALUES ('o', 'p', 's', 1, 100, 100, 'EUR', 8000, 80, 20, '25670000001', 'paid', 1, 1)`);
    const movement = (kind: string, status: string, reference: string) =>
      sql.run(`INSERT INTO movements (order_id, kind, provider, party_msisdn, amount_minor, currency, reference_id, status, created_at, updated_at)
        VALUES ('o', ?, 'momo', '25670000001', 10, 'EUR', ?, ?, 1, 1)`, [kind, reference, status]);
    await movement('refund', 'waiting_funds', 'r1');
    await movement('payout', 'cancelled', 'r2');
    await expect(movement('collection', 'cancelled', 'r3')).rejects.toThrow(/movements_cancelled_only_payout/);
    await expect(sql.run("INSERT INTO sellers (id, name, msisdn, share_bps, created_at, updated_at) VALUES ('t', 'T', '2567000000x', 1, 1, 1)")).rejects.toThrow(/check constraint/);
  });
});
