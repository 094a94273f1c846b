// Times in SHOP_TIMEZONE: exported times carry the zone's offset, dates mean local midnight, and
// the nightly run follows the wall clock across a DST change.
import { describe, expect, it, vi } from 'vitest';
import { isoInZone, nextRunAt, parsePeriod, yesterday } from '../../src/books';

describe('times in the shop time zone', () => {
  it('writes ISO 8601 with the offset in force at that instant', () => {
    expect(isoInZone(Date.UTC(2026, 11, 2, 6, 0), 'Africa/Kampala')).toBe('2026-12-02T09:00:00.000+03:00');
    expect(isoInZone(Date.UTC(2026, 11, 2, 6, 0), 'UTC')).toBe('2026-12-02T06:00:00.000Z');
    expect(isoInZone(Date.UTC(2026, 11, 2, 6, 0), 'Asia/Kathmandu')).toBe('2026-12-02T11:45:00.000+05:45');
    // Berlin's clocks go forward at 01:00 UTC on 29 March 2026.
    expect(isoInZone(Date.UTC(2026, 2, 29, 0, 59, 59, 999), 'Europe/Berlin')).toBe('2026-03-29T01:59:59.999+01:00');
    expect(isoInZone(Date.UTC(2026, 2, 29, 1, 0), 'Europe/Berlin')).toBe('2026-03-29T03:00:00.000+02:00');
  });

  it('reads a date as local midnight and a time with its own offset', () => {
    const now = Date.UTC(2026, 11, 2);
    expect(parsePeriod({ from: '2026-12-01', to: '2026-12-01T12:00:00+03:00' }, 'Africa/Kampala', now)).toEqual({
      from: Date.UTC(2026, 10, 30, 21, 0), to: Date.UTC(2026, 11, 1, 9, 0),
    });
    expect(yesterday(Date.UTC(2026, 11, 2, 22, 0), 'Africa/Kampala')).toEqual({ from: Date.UTC(2026, 11, 1, 21, 0), to: Date.UTC(2026, 11, 2, 21, 0) });
  });

  it('schedules the nightly run at HH:MM local, today if still ahead, else tomorrow, across DST', () => {
    expect(nextRunAt('02:30', 'Africa/Kampala', Date.UTC(2026, 11, 1, 22, 0))).toBe(Date.UTC(2026, 11, 1, 23, 30));
    expect(nextRunAt('02:30', 'Africa/Kampala', Date.UTC(2026, 11, 1, 23, 30))).toBe(Date.UTC(2026, 11, 2, 23, 30));
    // 04:00 in Berlin is 02:00 UTC in summer, 03:00 UTC in winter.
    expect(nextRunAt('04:00', 'Europe/Berlin', Date.UTC(2026, 2, 28, 12, 0))).toBe(Date.UTC(2026, 2, 29, 2, 0));
  });
});

describe('SHOP_TIMEZONE and RECONCILE_AT', () => {
  it('default to UTC and off, and refuse what is not a zone or HH:MM', async () => {
    const { loadConfig } = await import('../../src/config');
    expect(loadConfig({}).books).toEqual({ timezone: 'UTC', reconcileAt: null });
    expect(loadConfig({ SHOP_TIMEZONE: 'Africa/Kampala', RECONCILE_AT: '02:30' }).books).toEqual({ timezone: 'Africa/Kampala', reconcileAt: '02:30' });
    expect(() => loadConfig({ SHOP_TIMEZONE: 'Mars/Olympus' })).toThrow(/SHOP_TIMEZONE/);
    expect(() => loadConfig({ RECONCILE_AT: '24:00' })).toThrow(/RECONCILE_AT/);
  });
});

describe('the nightly run', () => {
  it('reconciles yesterday at RECONCILE_AT, then again the next night, and stops when told', async () => {
    const { startNightly } = await import('../../src/books');
    const { silentLogger } = await import('../../src/log');
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 2, 12, 0) });
    try {
      const runs: { from: number; to: number }[] = [];
      const nightly = startNightly({ at: '02:30', zone: 'Africa/Kampala', log: silentLogger, run: (period) => {
        runs.push(period);
        return Promise.resolve();
      } });
      await vi.advanceTimersByTimeAsync(Date.UTC(2026, 11, 2, 23, 29) - Date.now());
      expect(runs).toEqual([]);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(runs).toEqual([{ from: Date.UTC(2026, 11, 1, 21, 0), to: Date.UTC(2026, 11, 2, 21, 0) }]);
      await vi.advanceTimersByTimeAsync(86_400_000);
      expect(runs).toHaveLength(2);
      nightly.stop();
      await vi.advanceTimersByTimeAsync(86_400_000);
      expect(runs).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
