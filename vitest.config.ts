import { defineConfig } from 'vitest/config';

// Tests start real servers on real ports and write real SQLite files, so they get room to
// breathe on a 2-core machine: two files at a time, generous timeouts, no timing assertions.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: { NODE_ENV: 'test' },
    // A throwaway PostgreSQL for the run when this machine has one (CI=true requires it).
    globalSetup: ['test/global/postgres.ts'],
  },
});
