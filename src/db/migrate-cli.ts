// npm run migrate: brings DATABASE_PATH up to date.
import { loadConfig } from '../config';
import { loadDotenv } from '../env-file';
import { openDatabase } from './connection';
import { applyMigrations } from './migrate';

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
