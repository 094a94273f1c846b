// The nightly reconciliation inside Sokoni (RECONCILE_AT): once a day at HH:MM in the shop's
// time zone, yesterday is reconciled. The next run is worked out from the wall clock each time,
// so a DST change moves it with the clock rather than by a fixed 24 hours.
import type { Logger } from '../log';
import { localDate, yesterday, zonedTime, type Period } from './time';

export interface NightlyOptions {
  /** HH:MM */
  at: string;
  zone: string;
  run: (period: Period) => Promise<unknown>;
  log: Logger;
  clock?: () => number;
}

/** The first HH:MM in `zone` after `now`. */
export function nextRunAt(at: string, zone: string, now: number): number {
  const [hour = 0, minute = 0] = at.split(':').map(Number);
  const [year, month, day] = localDate(now, zone);
  const today = zonedTime(zone, year, month, day, hour, minute);
  if (today > now) return today;
  const [ny, nm, nd] = localDate(today + 36 * 3_600_000, zone);
  return zonedTime(zone, ny, nm, nd, hour, minute);
}

export function startNightly(options: NightlyOptions): { stop(): void } {
  const clock = options.clock ?? Date.now;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    const when = nextRunAt(options.at, options.zone, clock());
    timer = setTimeout(() => {
      options
        .run(yesterday(clock(), options.zone))
        .catch((error: unknown) => options.log.error('books.nightly_failed', { error }))
        .finally(schedule);
    }, when - clock());
    // The nightly run never keeps the process alive by itself.
    timer.unref();
  };
  schedule();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
