// The real app over a real SQLite file, with its access log captured.
import type { Express } from 'express';
import { createCatalogue, type VerifyWallet } from '../../src/catalogue';
import { loadConfig } from '../../src/config';
import { SqliteSql } from '../../src/db';
import { acceptsCurrencyIn } from '../../src/providers';
import { createApp, type AppDeps } from '../../src/web/app';
import { tempDatabase, type TempDatabase } from '../db/helpers';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };

export interface TestApp {
  app: Express;
  t: TempDatabase;
  /** The store's port over `t.db`: the one per connection, as the server has. */
  sql: SqliteSql;
  logLines: string[];
  errors: unknown[];
}

/** For tests that never reach MoMo: a seller write there would answer 502 unavailable. */
const noMomo: VerifyWallet = () => Promise.reject(new Error('this test runs without MoMo'));

/** `verifyWallet`: pass `walletCheck(harness)` (./wallets) when the test writes sellers. */
export function testApp(env: Record<string, string> = {}, deps: Partial<AppDeps> = {}, verifyWallet: VerifyWallet = noMomo): TestApp {
  const t = tempDatabase();
  const sql = new SqliteSql(t.db);
  const config = loadConfig({ ADMIN_TOKEN, ACCESS_LOG: 'false', DATABASE_PATH: t.file, ...env });
  const logLines: string[] = [];
  const errors: unknown[] = [];
  const app = createApp({
    config,
    catalogue: createCatalogue({ sql, acceptsCurrency: acceptsCurrencyIn(config.momo.targetEnvironment), verifyWallet }),
    accessLogStream: { write: (line: string) => logLines.push(line) > 0 },
    logError: (error) => errors.push(error),
    ...deps,
  });
  return { app, t, sql, logLines, errors };
}
