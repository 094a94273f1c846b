// Both databases' schemas as one list of facts each, so that the SQLite migrations and their
// PostgreSQL twins can be compared (schema-compare.test.ts). Each fact is one line a person can
// read: a table, a column (not-null, type class, simple default), a primary key, a unique
// constraint or index (named when it was created by name, partial or not), another index, a
// foreign key, a trigger. What differs only by dialect is normalised away: a column's declared
// type becomes its class (INTEGER/BIGINT → integer), a primary key's columns count as not null
// (SQLite allows NULL in a TEXT PRIMARY KEY, a bug it keeps for compatibility), a unique
// index on lower(x) is SQLite's `x COLLATE NOCASE`, and a unique index named as PostgreSQL names
// a column's UNIQUE constraint (<table>_<columns>_key) counts as that unnamed constraint.
import type { Database } from '../../src/db';
import type { Sql } from '../../src/db';

export type Schema = ReadonlySet<string>;

export interface SchemaDifference {
  onlyLeft: string[];
  onlyRight: string[];
}

export function compareSchemas(left: Schema, right: Schema): SchemaDifference {
  return {
    onlyLeft: [...left].filter((fact) => !right.has(fact)).sort(),
    onlyRight: [...right].filter((fact) => !left.has(fact)).sort(),
  };
}

/** The difference as a diff a person reads: `-` only on the left, `+` only on the right; empty when none. */
export function describeDifference(difference: SchemaDifference, left: string, right: string): string {
  if (difference.onlyLeft.length === 0 && difference.onlyRight.length === 0) return '';
  return [`--- only in ${left}`, `+++ only in ${right}`, ...difference.onlyLeft.map((fact) => `- ${fact}`), ...difference.onlyRight.map((fact) => `+ ${fact}`)].join('\n');
}

type TypeClass = 'integer' | 'text' | 'real' | 'blob' | 'numeric' | 'boolean' | 'other';

/** SQLite's affinity rules (https://www.sqlite.org/datatype3.html, 3.1), in their order. */
function sqliteTypeClass(declared: string): TypeClass {
  const type = declared.toUpperCase();
  if (type.includes('INT')) return 'integer';
  if (['CHAR', 'CLOB', 'TEXT'].some((word) => type.includes(word))) return 'text';
  if (type === '' || type.includes('BLOB')) return 'blob';
  if (['REAL', 'FLOA', 'DOUB'].some((word) => type.includes(word))) return 'real';
  return 'numeric';
}

function postgresTypeClass(dataType: string): TypeClass {
  if (['bigint', 'integer', 'smallint'].includes(dataType)) return 'integer';
  if (['text', 'character varying', 'character'].includes(dataType)) return 'text';
  if (['real', 'double precision'].includes(dataType)) return 'real';
  if (dataType === 'numeric') return 'numeric';
  if (dataType === 'bytea') return 'blob';
  if (dataType === 'boolean') return 'boolean';
  return 'other';
}

/** A literal default as written (PostgreSQL's `'momo'::text` is SQLite's `'momo'`); anything else is "computed". */
function simpleDefault(value: string | null): string {
  if (value === null) return 'none';
  const bare = value.replace(/(::[a-z ]+)+$/i, '');
  return /^('([^']|'')*'|-?\d+(\.\d+)?|NULL)$/i.test(bare) ? bare : 'computed';
}

function column(table: string, name: string, notNull: boolean, type: TypeClass, dflt: string): string {
  return `column ${table}.${name}: ${type}${notNull ? ' not null' : ''}, default ${dflt}`;
}

function indexFact(table: string, name: string | null, unique: boolean, columns: string[], partial: boolean): string {
  const kind = unique ? (name === null ? 'unique constraint' : `unique index ${name}`) : `index ${name}`;
  return `${kind} on ${table} (${columns.join(', ')})${partial ? ' partial' : ''}`;
}

export function sqliteSchema(db: Database): Schema {
  const facts = new Set<string>();
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
  for (const { name: table } of tables) {
    facts.add(`table ${table}`);
    const columns = db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[];
    for (const c of columns) facts.add(column(table, c.name, c.notnull === 1 || c.pk > 0, sqliteTypeClass(c.type), simpleDefault(c.dflt_value)));
    const primaryKey = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    if (primaryKey.length) facts.add(`primary key ${table} (${primaryKey.join(', ')})`);
    const indexes = db.prepare(`PRAGMA index_list("${table}")`).all() as { name: string; unique: number; origin: string; partial: number }[];
    for (const index of indexes.filter((i) => i.origin !== 'pk')) {
      const keys = (db.prepare(`PRAGMA index_xinfo("${index.name}")`).all() as { name: string | null; coll: string; key: number }[])
        .filter((k) => k.key === 1)
        .map((k) => `${k.name ?? '<expression>'}${k.coll.toUpperCase() === 'NOCASE' ? ' nocase' : ''}`);
      facts.add(indexFact(table, index.origin === 'u' ? null : index.name, index.unique === 1, keys, index.partial === 1));
    }
    const foreignKeys = db.prepare(`PRAGMA foreign_key_list("${table}")`).all() as { id: number; seq: number; table: string; from: string }[];
    for (const id of new Set(foreignKeys.map((fk) => fk.id))) {
      const parts = foreignKeys.filter((fk) => fk.id === id).sort((a, b) => a.seq - b.seq);
      facts.add(`foreign key ${table} (${parts.map((fk) => fk.from).join(', ')}) → ${parts[0]!.table}`);
    }
  }
  for (const trigger of db.prepare("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; tbl_name: string }[]) {
    facts.add(`trigger ${trigger.name} on ${trigger.tbl_name}`);
  }
  return facts;
}

export async function postgresSchema(sql: Sql): Promise<Schema> {
  const facts = new Set<string>();
  const tables = await sql.all<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
  for (const { name } of tables) facts.add(`table ${name}`);

  const primaryKeyColumns = new Set<string>();
  const keys = await sql.all<{ tbl: string; columns: string[] }>(
    `SELECT t.relname AS tbl, ARRAY(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
       JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns
     FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace s ON s.oid = t.relnamespace
     WHERE s.nspname = 'public' AND x.indisprimary`,
  );
  for (const key of keys) {
    facts.add(`primary key ${key.tbl} (${key.columns.join(', ')})`);
    for (const name of key.columns) primaryKeyColumns.add(`${key.tbl}.${name}`);
  }

  const columns = await sql.all<{ tbl: string; name: string; is_nullable: string; data_type: string; column_default: string | null }>(
    "SELECT table_name AS tbl, column_name AS name, is_nullable, data_type, column_default FROM information_schema.columns WHERE table_schema = 'public'",
  );
  for (const c of columns) {
    facts.add(column(c.tbl, c.name, c.is_nullable === 'NO' || primaryKeyColumns.has(`${c.tbl}.${c.name}`), postgresTypeClass(c.data_type), simpleDefault(c.column_default)));
  }

  const indexes = await sql.all<{ tbl: string; name: string; is_unique: boolean; partial: boolean; is_constraint: boolean; columns: string[] }>(
    `SELECT t.relname AS tbl, i.relname AS name, x.indisunique AS is_unique, x.indpred IS NOT NULL AS partial,
       EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype = 'u') AS is_constraint,
       ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnkeyatts) k ORDER BY k) AS columns
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace s ON s.oid = t.relnamespace
     WHERE s.nspname = 'public' AND NOT x.indisprimary`,
  );
  for (const index of indexes) {
    const names = index.columns.map((expression) => {
      const lower = /^lower\(\(?([a-z_][a-z0-9_]*)\)?\)$/.exec(expression);
      return lower ? `${lower[1]} nocase` : expression;
    });
    const defaultName = `${index.tbl}_${names.map((name) => name.replace(/ nocase$/, '')).join('_')}_key`;
    const unnamed = index.is_unique && (index.is_constraint || index.name === defaultName);
    facts.add(indexFact(index.tbl, unnamed ? null : index.name, index.is_unique, names, index.partial));
  }

  const foreignKeys = await sql.all<{ tbl: string; columns: string[]; parent: string }>(
    `SELECT t.relname AS tbl, p.relname AS parent, ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns
     FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class p ON p.oid = c.confrelid JOIN pg_namespace s ON s.oid = t.relnamespace
     WHERE s.nspname = 'public' AND c.contype = 'f'`,
  );
  for (const fk of foreignKeys) facts.add(`foreign key ${fk.tbl} (${fk.columns.join(', ')}) → ${fk.parent}`);

  const triggers = await sql.all<{ name: string; tbl: string }>(
    `SELECT g.tgname AS name, t.relname AS tbl FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid JOIN pg_namespace s ON s.oid = t.relnamespace
     WHERE s.nspname = 'public' AND NOT g.tgisinternal`,
  );
  for (const trigger of triggers) facts.add(`trigger ${trigger.name} on ${trigger.tbl}`);
  return facts;
}
