import { defineConfig } from 'vitest/config';
import { findBinaries } from './test/global/postgres-cluster';

// Tests start real servers on real ports and write real SQLite files, so they get room to
// breathe on a 2-core machine: two files at a time, generous timeouts, no timing assertions.
const shared = {
  pool: 'forks',
  testTimeout: 30_000,
  hookTimeout: 30_000,
} as const;

// The store and workflow suites run a second time on PostgreSQL (issue #17): their helpers read
// SOKONI_TEST_DB and give each store a fresh database of the run's throwaway cluster.
const onPostgres = [
  'test/checkout/**/*.test.ts',
  'test/movements/**/*.test.ts',
  'test/refunds/**/*.test.ts',
  'test/books/**/*.test.ts',
  'test/console/**/*.test.ts',
  'test/seller-portal/**/*.test.ts',
  'test/accounts/**/*.test.ts',
  'test/db/catalogue.test.ts',
  'test/db/movements-due.test.ts',
];

// Files about SQLite itself, not about the stores, stay on SQLite (README, "Tests on both
// databases", says why for each). The rule: a test of SQLite's own files (migrating one an older
// schema wrote, or measuring a process that fills one) is SQLite's.
const sqliteOnly = [
  'test/refunds/migration.test.ts',
  'test/books/backfill.test.ts',
  'test/books/export-memory.test.ts',
];

// Files that open no database at all (state machines, splits, settings, time zones): once is enough.
const noDatabase = [
  'test/movements/machines.test.ts',
  'test/refunds/split.test.ts',
  'test/refunds/settings.test.ts',
  'test/books/time.test.ts',
];

// The seller's Chromium journey (a minute or more) drives pages whose routes and live stream
// test/seller-portal/routes.test.ts already runs on both databases: once, in `sqlite`, is enough.
const browserOnce = ['test/seller-portal/journey-browser.test.ts'];

// Without PostgreSQL here there is no second project (the harness's tests say how to install it);
// under CI=true the global setup fails the run instead.
const postgresHere = process.env.CI === 'true' || findBinaries() !== null;

const postgres = {
  test: {
    ...shared,
    name: 'postgres',
    include: onPostgres,
    exclude: [...sqliteOnly, ...noDatabase, ...browserOnce],
    env: { NODE_ENV: 'test', SOKONI_TEST_DB: 'postgres' },
  },
};

export default defineConfig({
  test: {
    maxWorkers: 2,
    // A throwaway PostgreSQL for the run when this machine has one (CI=true requires it). Only the
    // root runs it; both projects read what it provides.
    globalSetup: ['test/global/postgres.ts'],
    projects: [
      {
        test: { ...shared, name: 'sqlite', include: ['test/**/*.test.ts'], env: { NODE_ENV: 'test' } },
      },
      ...(postgresHere ? [postgres] : []),
    ],
  },
});
