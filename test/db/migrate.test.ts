import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations, MigrationError, MIGRATIONS_DIR, openDatabase, pendingMigrations } from '../../src/db';
import { tempDatabase, tempDir, type TempDatabase } from './helpers';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function fresh(options: { migrate?: boolean } = {}): TempDatabase {
  const t = tempDatabase(options);
  cleanups.push(t.close);
  return t;
}

function migrationsDir(files: Record<string, string>): string {
  const { dir, remove } = tempDir();
  cleanups.push(remove);
  for (const [name, sql] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), sql);
  return dir;
}

/** The repository's migrations, whatever branches have added to them. */
const repoMigrations = () => fs.readdirSync(MIGRATIONS_DIR).filter((name) => /^\d{3}_.+\.sql$/.test(name)).sort();

const tableNames = (t: TempDatabase) =>
  t.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];

describe('openDatabase', () => {
  it('creates the parent folder and sets the pragmas', () => {
    const t = fresh({ migrate: false });
    expect(fs.existsSync(t.file)).toBe(true);
    expect(t.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(t.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(t.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(t.db.pragma('synchronous', { simple: true })).toBe(1);
  });

  it('opens an in-memory database', () => {
    const db = openDatabase(':memory:');
    cleanups.push(() => db.close());
    expect(applyMigrations(db)).toEqual(repoMigrations());
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });
});

describe('applyMigrations', () => {
  it('finds the repository migrations from its own location', () => {
    const repoMigrations = fileURLToPath(new URL('../../migrations', import.meta.url));
    expect(MIGRATIONS_DIR).toBe(repoMigrations);
  });

  it('applies each migration once and records it', () => {
    const t = fresh({ migrate: false });
    const before = Date.now();
    expect(applyMigrations(t.db)).toEqual(repoMigrations());
    expect(applyMigrations(t.db)).toEqual([]);
    const rows = t.db.prepare('SELECT name, applied_at AS appliedAt FROM schema_migrations').all() as { name: string; appliedAt: number }[];
    expect(rows.map((r) => r.name)).toEqual(repoMigrations());
    expect(rows[0]!.appliedAt).toBeGreaterThanOrEqual(before);
    expect(tableNames(t)).toEqual(expect.arrayContaining(['sellers', 'products', 'orders', 'movements', 'movement_attempts', 'order_events']));
    expect(pendingMigrations(t.db)).toEqual([]);
  });

  it('applies in numeric order and only the new ones later', () => {
    const t = fresh({ migrate: false });
    const dir = migrationsDir({
      '010_third.sql': 'INSERT INTO log VALUES (3);',
      '002_second.sql': 'INSERT INTO log VALUES (2);',
      '001_first.sql': 'CREATE TABLE log (n INTEGER);',
    });
    expect(applyMigrations(t.db, dir)).toEqual(['001_first.sql', '002_second.sql', '010_third.sql']);
    fs.writeFileSync(path.join(dir, '011_fourth.sql'), 'INSERT INTO log VALUES (4);');
    expect(applyMigrations(t.db, dir)).toEqual(['011_fourth.sql']);
    expect(t.db.prepare('SELECT n FROM log ORDER BY rowid').pluck().all()).toEqual([2, 3, 4]);
  });

  it('rolls back a failed migration entirely and names the file', () => {
    const t = fresh({ migrate: false });
    const dir = migrationsDir({
      '001_first.sql': 'CREATE TABLE kept (n INTEGER);',
      '002_broken.sql': 'CREATE TABLE half (n INTEGER); INSERT INTO kept VALUES (1); INSERT INTO missing VALUES (1);',
    });
    let caught: unknown;
    try {
      applyMigrations(t.db, dir);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MigrationError);
    expect((caught as MigrationError).file).toBe('002_broken.sql');
    expect((caught as Error).message).toContain('002_broken.sql');
    expect(tableNames(t)).not.toContain('half');
    expect(t.db.prepare('SELECT count(*) FROM kept').pluck().get()).toBe(0);
    expect(t.db.prepare('SELECT name FROM schema_migrations').pluck().all()).toEqual(['001_first.sql']);

    fs.writeFileSync(path.join(dir, '002_broken.sql'), 'CREATE TABLE half (n INTEGER);');
    expect(applyMigrations(t.db, dir)).toEqual(['002_broken.sql']);
  });

  it('refuses badly named and duplicate-numbered files', () => {
    const t = fresh({ migrate: false });
    expect(() => applyMigrations(t.db, migrationsDir({ 'first.sql': 'SELECT 1;' }))).toThrow(/NNN_name\.sql: first\.sql/);
    expect(() => applyMigrations(t.db, migrationsDir({ '001_a.sql': 'SELECT 1;', '001_b.sql': 'SELECT 1;' }))).toThrow(/share number 001/);
  });
});

describe('foreign keys in migrations', () => {
  it('lets a migration rebuild a referenced table, and still refuses dangling references', () => {
    const t = fresh({ migrate: false });
    const dir = migrationsDir({
      '001_tables.sql': 'CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (parent_id INTEGER REFERENCES parent(id)); INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1);',
      '002_rebuild.sql': 'CREATE TABLE parent_new (id INTEGER PRIMARY KEY, note TEXT); INSERT INTO parent_new (id) SELECT id FROM parent; DROP TABLE parent; ALTER TABLE parent_new RENAME TO parent;',
    });
    expect(applyMigrations(t.db, dir)).toEqual(['001_tables.sql', '002_rebuild.sql']);
    fs.writeFileSync(path.join(dir, '003_dangling.sql'), 'INSERT INTO child VALUES (99);');
    expect(() => applyMigrations(t.db, dir)).toThrow(/003_dangling\.sql/);
    expect(t.db.prepare('SELECT count(*) FROM child').pluck().get()).toBe(1);
    expect(t.db.pragma('foreign_keys', { simple: true })).toBe(1);
  });
});
