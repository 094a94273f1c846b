// The door to the data room: the workflow and the web layer import from here, never SQL.
export { openDatabase, assertWritable, probeWritable, setBusyTimeout, databaseStartupError, SERVING_BUSY_TIMEOUT_MS, type Database } from './connection';
export { applyMigrations, pendingMigrations, MigrationError, MIGRATIONS_DIR } from './migrate';
export { statement } from './statements';
export { groupCommit } from './group-commit';
export type { Sql, Params, RunResult, Dialect } from './sql';
export { SqliteSql } from './sqlite-sql';
export { startCheckpointer, type Checkpointer } from './checkpointer';
export * from './catalogue';
export { seedDemoCatalogue, ensureDemoCatalogue, demoSeedOptions, DEMO_SELLER_IDS, DEMO_PRODUCT_IDS, type SeedOptions } from './seed';
export * from './orders';
export * from './movements';
export { SyncMovementStore, SyncOrderStore } from './sync-stores';
export * from './accounts';
export * from './order-queries';
export * from './books';
export * from './refunds';
export * from './seller-portal';
export * from './metrics-queries';
