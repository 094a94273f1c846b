// The door to the data room: the workflow and the web layer import from here, never SQL.
export { openDatabase, type Database } from './connection';
export { applyMigrations, pendingMigrations, MigrationError, MIGRATIONS_DIR } from './migrate';
export { statement } from './statements';
export * from './catalogue';
export { seedDemoCatalogue, ensureDemoCatalogue, demoSeedOptions, DEMO_SELLER_IDS, DEMO_PRODUCT_IDS, type SeedOptions } from './seed';
export * from './orders';
export * from './movements';
export * from './books';
