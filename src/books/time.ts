// Times in the shop's time zone (SHOP_TIMEZONE): ISO 8601 with the zone's offset for exports,
// and the start of a local day for periods given as dates. Intl knows the zone rules, so no
// offset is ever hard-coded.
import { DomainError } from '../domain-error';

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(zone: string, at: number): Parts {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(zone, format);
  }
  const out = Object.create(null) as Record<string, number>;
  for (const part of format.formatToParts(at)) if (part.type !== 'literal') out[part.type] = Number(part.value);
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour!, minute: out.minute!, second: out.second! };
}

/** The zone's offset from UTC at `at`, in milliseconds (east positive). */
function offsetAt(zone: string, at: number): number {
  const p = partsIn(zone, at);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(at / 1000) * 1000;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

// Offsets change only at whole quarter hours (every zone's rules do), so one looked up per
// quarter hour serves every time inside it: an export of a year of orders asks Intl a few
// thousand times instead of once per line. The cache is cut back when it grows, so it stays small.
const QUARTER_HOUR = 15 * 60_000;
const offsets = new Map<string, number>();

function cachedOffset(zone: string, at: number): number {
  const key = `${zone} ${Math.floor(at / QUARTER_HOUR)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    if (offsets.size >= 4096) offsets.clear();
    offset = offsetAt(zone, Math.floor(at / QUARTER_HOUR) * QUARTER_HOUR);
    offsets.set(key, offset);
  }
  return offset;
}

/** 2026-12-02T09:15:04.120+03:00 in Africa/Kampala; ends in Z for UTC. */
export function isoInZone(at: number, zone: string): string {
  const offset = cachedOffset(zone, at);
  // The wall clock is the instant shifted by the offset, read as if it were UTC.
  const wall = new Date(at + offset).toISOString().slice(0, 23);
  const minutes = Math.round(offset / 60_000);
  if (minutes === 0) return `${wall}Z`;
  const sign = minutes < 0 ? '-' : '+';
  return `${wall}${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}

/** Epoch milliseconds of a wall-clock time in the zone (the first such instant at a DST fold). */
export function zonedTime(zone: string, year: number, month: number, day: number, hour = 0, minute = 0): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const first = wall - offsetAt(zone, wall);
  return wall - offsetAt(zone, first);
}

/** The local calendar date at `at`, as [year, month, day]. */
export function localDate(at: number, zone: string): [number, number, number] {
  const p = partsIn(zone, at);
  return [p.year, p.month, p.day];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A period bound from a query: a date (its local midnight in `zone`) or an ISO 8601 time with
 * its offset. `field` names it in the refusal.
 */
export function parseTime(value: unknown, zone: string, field: string): number {
  if (typeof value === 'string') {
    const date = DATE.exec(value);
    if (date) {
      const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
      const check = new Date(Date.UTC(year, month - 1, day));
      if (check.getUTCMonth() === month - 1 && check.getUTCDate() === day) return zonedTime(zone, year, month, day);
    } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
      const at = Date.parse(value);
      if (Number.isFinite(at)) return at;
    }
  }
  throw new DomainError('invalid', 'invalid_time', `${field} must be a date (2026-12-01) or an ISO 8601 time with its offset`, field);
}

export interface Period {
  from: number;
  to: number;
}

/** [from, to) from optional query values; a missing `from` is the beginning, a missing `to` is now. */
export function parsePeriod(query: { from?: unknown; to?: unknown }, zone: string, now: number): Period {
  const from = query.from === undefined ? 0 : parseTime(query.from, zone, 'from');
  const to = query.to === undefined ? now + 1 : parseTime(query.to, zone, 'to');
  if (to <= from) throw new DomainError('invalid', 'invalid_period', 'to must be after from', 'to');
  return { from, to };
}

/** Yesterday in the zone, as seen at `now`: [its midnight, today's midnight). */
export function yesterday(now: number, zone: string): Period {
  const [year, month, day] = localDate(now, zone);
  const to = zonedTime(zone, year, month, day);
  const [py, pm, pd] = localDate(to - 12 * 3_600_000, zone);
  return { from: zonedTime(zone, py, pm, pd), to };
}
