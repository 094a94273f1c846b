import { defineConfig } from 'vitest/config';

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
  'test/db/catalogue.test.ts',
  'test/db/movements-due.test.ts',
];

// Files about SQLite itself, not about the stores: they stay on SQLite (README, "Tests on both
// databases", says why for each). The rule: a test that opens, copies, migrates or kills a SQLite
// file of its own is SQLite's.
const sqliteOnly = [
  // Kills Sokoni mid-flight and restarts it on the same SQLite file.
  'test/checkout/crash.test.ts',
  'test/refunds/crash.test.ts',
  // Migrations of SQLite files written by an older schema.
  'test/refunds/migration.test.ts',
  'test/books/backfill.test.ts',
  // A child process that fills and exports a SQLite file of its own, to measure its memory.
  'test/books/export-memory.test.ts',
];

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
      {
        test: {
          ...shared,
          name: 'postgres',
          include: onPostgres,
          exclude: sqliteOnly,
          env: { NODE_ENV: 'test', SOKONI_TEST_DB: 'postgres' },
        },
      },
    ],
  },
});
