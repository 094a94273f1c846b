// What the global setup (postgres.ts) hands the tests about the throwaway PostgreSQL.

export type PostgresContext =
  | { url: string; skipped: null; dir: string; dataDir: string; version: string }
  | { url: null; skipped: string };

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresContext;
  }
}
