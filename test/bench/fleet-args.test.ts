// The --db and --instances flags of `npm run chaos` and `npm run bench` (bench/fleet-args.ts), and
// the commands' refusals of bad values, as a user meets them (exit code 2, one line naming the flag).
import { describe, expect, it } from 'vitest';
import { fleetProblem, parseDb, parseInstanceCounts } from '../../bench/fleet-args';
import { runScript } from '../processes';

describe('the fleet flags', () => {
  it('--db is sqlite or postgres', () => {
    expect(parseDb('sqlite')).toEqual({ ok: true, value: 'sqlite' });
    expect(parseDb('postgres')).toEqual({ ok: true, value: 'postgres' });
    expect(parseDb('mysql')).toEqual({ ok: false, reason: '--db must be sqlite or postgres, not "mysql"' });
  });

  it('--instances is one count or a list of distinct counts from 1 to 8', () => {
    expect(parseInstanceCounts('3')).toEqual({ ok: true, value: [3] });
    expect(parseInstanceCounts('1, 2')).toEqual({ ok: true, value: [1, 2] });
    for (const bad of ['0', '9', '1.5', '', '1,,2', 'two', '-1']) expect(parseInstanceCounts(bad).ok, bad).toBe(false);
    expect(parseInstanceCounts('2,2')).toEqual({ ok: false, reason: '--instances names a count twice: "2,2"' });
  });

  it('several instances need PostgreSQL', () => {
    expect(fleetProblem('sqlite', [1])).toBeNull();
    expect(fleetProblem('sqlite', [1, 2])).toMatch(/need --db postgres/);
    expect(fleetProblem('postgres', [1, 2])).toBeNull();
  });

  it('npm run chaos and npm run bench refuse bad values before starting anything', async () => {
    const chaos = runScript('bench/chaos.ts', { args: ['--instances', '3'] });
    expect(await chaos.exited).toBe(2);
    expect(chaos.stderr()).toMatch(/several --instances need --db postgres/);
    const bench = runScript('bench/bench.ts', { args: ['--db', 'oracle'] });
    expect(await bench.exited).toBe(2);
    expect(bench.stderr()).toMatch(/--db must be sqlite or postgres, not "oracle"/);
  });
});
