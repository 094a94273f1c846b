// The few places where the shop's reads must be written per database (issue #17); everywhere
// else one text serves both.
import type { Sql } from './sql';

/**
 * An inner join that keeps its left side as the outer loop. SQLite never reorders a CROSS JOIN,
 * which is how a keyset page walks the orders' index and stops after `limit` rows; PostgreSQL
 * allows no ON after CROSS JOIN, and plans the order itself.
 */
export const joinInOrder = (db: Sql): string => (db.dialect === 'sqlite' ? 'CROSS JOIN' : 'JOIN');

/**
 * What orders a movement's attempts made in the same millisecond: SQLite's rowid is the order
 * they were written in; PostgreSQL has no such column, so its reference decides.
 */
export const attemptTieBreak = (db: Sql, table: string): string => `${table}.${db.dialect === 'sqlite' ? 'rowid' : 'reference_id'}`;

/** A count or sum as a number: PostgreSQL's driver hands bigint and numeric back as strings. */
export const toNumber = (value: unknown): number => Number(value);
