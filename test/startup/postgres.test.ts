// Sokoni on PostgreSQL (issue #17): DATABASE_URL set, the real start-up on a fresh database of
// the run's throwaway cluster, an order through the embedded sandbox over real HTTP, and
// /readyz while the database does and does not answer.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { demoProductId, freePort, isFinal, pay, quickWorker, tempDir, waitForOrder } from '../checkout/helpers';
import { freshPostgres, postgres, socketDoor } from '../db/postgres-helpers';
import supertest from 'supertest';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/log';
import { startSandbox } from '../../src/sandbox';
import { startSokoni } from '../../src/server';
import { ROOT, runScript } from '../processes';
import { startOnPostgres } from './postgres-store';

if (postgres.url === null) console.warn(`PostgreSQL tests skipped: ${postgres.skipped}`);

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Readiness {
  status: number;
  database: { ok: boolean; detail: string } | undefined;
}

async function readiness(url: string): Promise<Readiness> {
  const res = await fetch(`${url}/readyz`);
  const body = (await res.json()) as { checks: Record<string, { ok: boolean; detail: string }> };
  return { status: res.status, database: body.checks.database };
}

async function until(what: string, done: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A TCP door to the throwaway cluster's Unix socket that can be shut: shut, it cuts every open
 * connection and every new one at once, as a database that went away would look.
 */
async function door(clusterUrl: string): Promise<{ url(database: string): string; shut(): void; open(): void; close(): Promise<void> }> {
  const cluster = new URL(clusterUrl);
  const through = await socketDoor(`${cluster.searchParams.get('host')!}/.s.PGSQL.${cluster.port || '5432'}`, 0);
  return { ...through, url: (database) => `postgres://${cluster.username}@127.0.0.1:${through.port}/${database}` };
}

describe('Sokoni with DATABASE_URL that does not answer', () => {
  it('serves /healthz and answers /readyz 503 naming the database, without crashing, while it waits', async () => {
    const closed = await freePort();
    const port = await freePort();
    const temp = tempDir();
    cleanups.push(temp.remove);
    const sokoni = runScript('src/main.ts', {
      env: { PORT: String(port), DATABASE_URL: `postgres://sokoni:secret-word@127.0.0.1:${closed}/sokoni`, DATABASE_PATH: `${temp.dir}/sokoni.db`, SANDBOX_DATABASE_PATH: ':memory:', ACCESS_LOG: 'false' },
    });
    cleanups.push(() => sokoni.stop());
    await sokoni.waitFor(/db\.waiting/);
    const url = `http://127.0.0.1:${port}`;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const first = await readiness(url);
    expect(first.status).toBe(503);
    expect(first.database).toEqual({ ok: false, detail: expect.stringMatching(/^not answering: .*ECONNREFUSED/) as unknown });
    // Still there, still waiting, a few tries later; and the password never printed.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await readiness(url)).status).toBe(503);
    expect(sokoni.child.exitCode).toBeNull();
    expect(sokoni.stdout() + sokoni.stderr()).not.toContain('secret-word');
  });
});

describe.skipIf(postgres.url === null)('Sokoni with DATABASE_URL', () => {
  it('starts on a fresh database, shows the demo shop and takes an order to settled', async () => {
    const fresh = await freshPostgres();
    cleanups.push(fresh.drop);
    const store = await startOnPostgres(fresh.url, cleanups);

    const ready = (await store.http.get('/readyz').expect(200)).body.checks;
    expect(ready.database).toEqual({ ok: true, detail: 'answering' });
    expect(ready.orderChanges).toEqual({ ok: true, detail: "listening for other instances' order changes" });
    const page = await store.http.get('/').expect(200);
    expect(page.text).toContain('Woven papyrus basket');
    expect(page.text).toContain('Beaded sandals');

    const placed = await pay(store, { productId: demoProductId, qty: 2, phone: '+256 772 123456' });
    expect(placed.status).toBe(202);
    const order = await waitForOrder(store, placed.body.id as string, isFinal);
    expect(order).toMatchObject({ status: 'settled', amountMinor: 2500, payment: { status: 'successful' }, payout: { status: 'successful', amountMinor: 2000 } });
    // Written to PostgreSQL, not to a SQLite file.
    expect(await fresh.sql.get('SELECT status FROM orders WHERE id = ?', [order.id])).toEqual({ status: 'settled' });
    expect(() => store.sokoni.db).toThrow(/PostgreSQL/);
    expect(existsSync(`${store.dir}/unused`)).toBe(false);
  });

  it('/readyz says the database is not ready while PostgreSQL does not answer, and ready again once it does', async () => {
    const fresh = await freshPostgres();
    cleanups.push(fresh.drop);
    const pg = await door(postgres.url!);
    cleanups.push(() => pg.close());
    const store = await startOnPostgres(pg.url(fresh.name), cleanups);
    expect((await readiness(store.sokoni.url)).status).toBe(200);

    pg.shut();
    await until('/readyz 503 on the database', async () => {
      const now = await readiness(store.sokoni.url);
      return now.status === 503 && now.database?.ok === false;
    });
    expect((await fetch(`${store.sokoni.url}/healthz`)).status).toBe(200);

    pg.open();
    await until('/readyz 200 again', async () => (await readiness(store.sokoni.url)).status === 200);
    expect((await readiness(store.sokoni.url)).database).toEqual({ ok: true, detail: 'answering' });
  });

  it('npm run migrate and npm run seed act on the PostgreSQL at DATABASE_URL', async () => {
    const fresh = await freshPostgres();
    cleanups.push(fresh.drop);
    const env = { DATABASE_URL: fresh.url, DATABASE_PATH: '/proc/no-sqlite-here/sokoni.db' };
    const migrate = runScript('src/db/migrate-cli.ts', { env });
    cleanups.push(() => migrate.stop());
    expect(await migrate.exited).toBe(0);
    expect(migrate.stdout()).toMatch(/^Applied to postgresql:\/\/postgres@localhost:\d+\/sokoni_test_\w+\?host=.*: 001_/);
    const seed = runScript('src/db/seed-cli.ts', { env });
    cleanups.push(() => seed.stop());
    expect(await seed.exited).toBe(0);
    expect(seed.stdout()).toMatch(/^Seeded 3 sellers and 6 products \(EUR\) into postgresql:/);
    expect(await fresh.sql.get('SELECT count(*) AS products FROM products')).toEqual({ products: 6 });
  });

  it('npm start names the PostgreSQL it runs on, without the password', async () => {
    const fresh = await freshPostgres();
    cleanups.push(fresh.drop);
    // The throwaway cluster trusts its socket, so a password in the URL is carried and ignored.
    const url = new URL(fresh.url);
    url.password = 'secret-word';
    const temp = tempDir();
    cleanups.push(temp.remove);
    const sokoni = runScript('src/main.ts', {
      env: { PORT: String(await freePort()), DATABASE_URL: url.toString(), DATABASE_PATH: `${temp.dir}/sokoni.db`, SANDBOX_DATABASE_PATH: ':memory:', ACCESS_LOG: 'false' },
    });
    cleanups.push(() => sokoni.stop());
    const line = await sokoni.waitFor(/^Database +(.*)$/m);
    expect(line[1]).toBe(`PostgreSQL postgresql://postgres@localhost:${url.port}/${fresh.name}?host=${url.searchParams.get('host')!.replaceAll('/', '%2F')} (DATABASE_PATH is not used)`);
    expect(sokoni.stdout() + sokoni.stderr()).not.toContain('secret-word');
    expect(existsSync(`${temp.dir}/sokoni.db`)).toBe(false);
  });

  it('npm run users:create creates the person in the PostgreSQL at DATABASE_URL', async () => {
    const fresh = await freshPostgres();
    cleanups.push(fresh.drop);
    const created = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'src/accounts/users-cli.ts'), '--email', 'owner@example.com', '--role', 'owner', '--password-stdin'], {
      cwd: tmpdir(),
      input: 'a long enough passphrase\n',
      encoding: 'utf8',
      env: { PATH: process.env.PATH, SOKONI_DOTENV: 'false', DATABASE_URL: fresh.url, DATABASE_PATH: '/proc/no-sqlite-here/sokoni.db' },
    });
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/Created owner owner@example.com/);
    expect(await fresh.sql.all('SELECT email, role FROM people')).toEqual([{ email: 'owner@example.com', role: 'owner' }]);
  });

  it('stops start-up naming DATABASE_URL when PostgreSQL answers and refuses (no such database)', async () => {
    const url = new URL(postgres.url!);
    url.pathname = '/sokoni_no_such_database';
    await expect(startOnPostgres(url.toString(), cleanups)).rejects.toThrow(/^DATABASE_URL: PostgreSQL refused the connection: database "sokoni_no_such_database" does not exist$/);
  });

  it('npm run reconcile reads the movements from the PostgreSQL at DATABASE_URL', async () => {
    const fresh = await freshPostgres();
    cleanups.push(fresh.drop);
    const momo = await startSandbox({ approval: 'instant' }, { port: 0 });
    cleanups.push(() => momo.close());
    const user = momo.sandbox.control.provision('localhost');
    const env: Record<string, string> = {
      DATABASE_URL: fresh.url, DATABASE_PATH: '/proc/no-sqlite-here/sokoni.db', MOMO_BASE_URL: momo.url, ...quickWorker, PORT: '0',
      COLLECTION_PRIMARY_KEY: 'key', COLLECTION_USER_ID: user.apiUser, COLLECTION_API_SECRET: user.apiKey,
      DISBURSEMENT_PRIMARY_KEY: 'key', DISBURSEMENT_USER_ID: user.apiUser, DISBURSEMENT_API_SECRET: user.apiKey,
    };
    const sokoni = await startSokoni(loadConfig(env), { log: silentLogger });
    let status: unknown;
    try {
      const placed = await supertest(sokoni.url).post('/pay').set('accept', 'application/json').set('prefer', 'wait=20')
        .send({ productId: demoProductId, qty: 1, phone: '+256 772 123456' });
      status = placed.body.status;
    } finally {
      await sokoni.close();
    }
    expect(status).toBe('settled');

    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const run = runScript('src/books/reconcile-cli.ts', { args: ['--from', day(-1), '--to', day(1)], env });
    cleanups.push(() => run.stop());
    await run.exited;
    expect(run.stdout()).toContain('attempts checked 2, matched 2, still in flight 0');
  });
});
