// The real Sokoni on PostgreSQL (DATABASE_URL) for a test: embedded sandbox approving at once,
// real port; its close is pushed onto the test's cleanups. PG_DEBUG=1 shows its log.
import supertest from 'supertest';
import { loadConfig } from '../../src/config';
import { createLogger, silentLogger } from '../../src/log';
import { startSokoni } from '../../src/server';
import { quickWorker, tempDir, type Store } from '../checkout/helpers';

export async function startOnPostgres(url: string, cleanups: (() => unknown)[], env: Record<string, string> = {}): Promise<Store> {
  const temp = tempDir();
  cleanups.push(temp.remove);
  // DATABASE_PATH points at a folder that is never made: on PostgreSQL it must not be used.
  const config = loadConfig({
    PORT: '0', DATABASE_URL: url, DATABASE_PATH: `${temp.dir}/unused/sokoni.db`, SANDBOX_DATABASE_PATH: ':memory:', SANDBOX_APPROVAL: 'instant', ...quickWorker, ...env,
  });
  const sokoni = await startSokoni(config, { log: process.env.PG_DEBUG ? createLogger() : silentLogger });
  const store: Store = { sokoni, config, http: supertest(sokoni.url), control: sokoni.sandbox!.control, dir: temp.dir, close: () => sokoni.close() };
  cleanups.push(store.close);
  return store;
}
