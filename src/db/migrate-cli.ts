// npm run migrate: brings DATABASE_PATH up to date.
import { readArgs } from '../cli-args';
import { loadConfig } from '../config';
import { loadDotenv } from '../env-file';
import { openDatabase } from './connection';
import { applyMigrations } from './migrate';

readArgs({
  name: 'npm run migrate',
  usage: `usage: npm run migrate

Applies the SQL migrations in migrations/ that DATABASE_PATH (./data/sokoni.db) has not had yet,
each once and in its own transaction; Sokoni also does this when it starts. No options: the
setting comes from the environment or .env.`,
  options: {},
});
loadDotenv();
try {
  const config = loadConfig();
  const db = openDatabase(config.databasePath);
  try {
    const applied = applyMigrations(db);
    console.log(applied.length ? `Applied to ${config.databasePath}: ${applied.join(', ')}` : `${config.databasePath} is up to date`);
  } finally {
    db.close();
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
