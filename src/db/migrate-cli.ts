// npm run migrate: brings DATABASE_PATH, or the PostgreSQL at DATABASE_URL, up to date.
import { readArgs } from '../cli-args';
import { loadConfig } from '../config';
import { loadDotenv } from '../env-file';
import { openDatabase } from './connection';
import { applyMigrations } from './migrate';
import { withoutPassword } from './open';
import { applyPostgresMigrations } from './postgres-migrate';
import { PostgresSql } from './postgres-sql';

readArgs({
  name: 'npm run migrate',
  usage: `usage: npm run migrate

Applies the SQL migrations in migrations/ that DATABASE_PATH (./data/sokoni.db) has not had yet,
each once and in its own transaction; Sokoni also does this when it starts. With DATABASE_URL
set, those in migrations/postgres/ are applied to that PostgreSQL instead. No options: the
setting comes from the environment or .env.`,
  options: {},
});
loadDotenv();
try {
  const config = loadConfig();
  const name = config.databaseUrl === null ? config.databasePath : withoutPassword(config.databaseUrl);
  const applied = config.databaseUrl === null ? migrateSqlite(config.databasePath) : await migratePostgres(config.databaseUrl);
  console.log(applied.length ? `Applied to ${name}: ${applied.join(', ')}` : `${name} is up to date`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}

function migrateSqlite(file: string): string[] {
  const db = openDatabase(file);
  try {
    return applyMigrations(db);
  } finally {
    db.close();
  }
}

async function migratePostgres(url: string): Promise<string[]> {
  const sql = PostgresSql.connect(url, { max: 1 });
  try {
    return await applyPostgresMigrations(sql);
  } finally {
    await sql.end();
  }
}
