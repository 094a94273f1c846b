// npm run migrate: brings DATABASE_PATH up to date.
import 'dotenv/config';
import { loadConfig } from '../config';
import { openDatabase } from './connection';
import { applyMigrations } from './migrate';

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
