// npm run seed: loads the demo catalogue again (migrating first, so it works on a new file).
import { readArgs } from '../cli-args';
import { loadConfig } from '../config';
import { loadDotenv } from '../env-file';
import { openDatabase } from './connection';
import { applyMigrations } from './migrate';
import { withoutPassword } from './open';
import { applyPostgresMigrations } from './postgres-migrate';
import { PostgresSql } from './postgres-sql';
import { demoSeedOptions, seedDemoCatalogue } from './seed';
import { SqliteSql } from './sqlite-sql';

readArgs({
  name: 'npm run seed',
  usage: `usage: npm run seed

Loads the demo sellers and products into DATABASE_PATH (./data/sokoni.db), or the PostgreSQL
at DATABASE_URL when that is set, again, migrating it first. Only for MoMo's sandbox (MOMO_TARGET_ENVIRONMENT=sandbox): the demo sellers' numbers are
made up. No options: the settings come from the environment or .env.`,
  options: {},
});
loadDotenv();
try {
  const config = loadConfig();
  const options = demoSeedOptions(config.momo.targetEnvironment, config.sellerShareBps);
  if (!options) {
    throw new Error(`No demo catalogue for ${config.momo.targetEnvironment}: its sellers' numbers are made up, and payouts there are real money. Add sellers and products through the admin API.`);
  }
  if (config.databaseUrl !== null) {
    const sql = PostgresSql.connect(config.databaseUrl, { max: 1 });
    try {
      await applyPostgresMigrations(sql);
      const { sellers, products } = await seedDemoCatalogue(sql, options);
      console.log(`Seeded ${sellers} sellers and ${products} products (${options.currency}) into ${withoutPassword(config.databaseUrl)}`);
    } finally {
      await sql.end();
    }
  } else {
    const db = openDatabase(config.databasePath);
    try {
      applyMigrations(db);
      const { sellers, products } = await seedDemoCatalogue(new SqliteSql(db), options);
      console.log(`Seeded ${sellers} sellers and ${products} products (${options.currency}) into ${config.databasePath}`);
    } finally {
      db.close();
    }
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
