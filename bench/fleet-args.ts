// The flags that shape a run's fleet, shared by `npm run chaos` and `npm run bench`: which
// database (--db) and how many Sokoni instances (--instances). Each answers the value or the
// reason it is refused, which the command prints as its usage error.
import { refuse } from '../src/cli-args';
import type { DbKind } from './database';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export function parseDb(value: string): Parsed<DbKind> {
  if (value === 'sqlite' || value === 'postgres') return { ok: true, value };
  return { ok: false, reason: `--db must be sqlite or postgres, not ${JSON.stringify(value)}` };
}

/** More instances than this would only measure the two cores being shared. */
export const MAX_INSTANCES = 8;

/** One count (chaos) or a comma-separated list of them (bench: a row per count), each 1 to MAX_INSTANCES. */
export function parseInstanceCounts(value: string): Parsed<number[]> {
  const parts = value.split(',').map((part) => part.trim());
  const counts = parts.map(Number);
  const bad = parts.find((part, i) => !/^\d+$/.test(part) || counts[i]! < 1 || counts[i]! > MAX_INSTANCES);
  if (bad !== undefined) return { ok: false, reason: `--instances takes whole numbers from 1 to ${MAX_INSTANCES}, comma-separated; not ${JSON.stringify(bad)}` };
  if (new Set(counts).size !== counts.length) return { ok: false, reason: `--instances names a count twice: ${JSON.stringify(value)}` };
  return { ok: true, value: counts };
}

/** Several instances share one database, which SQLite (one file, one writing process) does not allow. */
export function fleetProblem(db: DbKind, counts: number[]): string | null {
  if (db === 'sqlite' && counts.some((n) => n > 1)) return 'several --instances need --db postgres: a SQLite file has one writing process';
  return null;
}

/** Both flags of a command, or its usage error (exit 2) naming what is wrong. */
export function fleetFlags(command: { name: string }, values: { db: string; instances: string }): { db: DbKind; instances: number[] } {
  const db = parseDb(values.db);
  if (!db.ok) return refuse(command, db.reason);
  const instances = parseInstanceCounts(values.instances);
  if (!instances.ok) return refuse(command, instances.reason);
  const problem = fleetProblem(db.value, instances.value);
  if (problem !== null) return refuse(command, problem);
  return { db: db.value, instances: instances.value };
}
