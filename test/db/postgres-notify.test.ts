// Order changes across instances on PostgreSQL (issue #17): what one instance publishes reaches
// another's listener on its own connection, and a listener whose connection is killed comes back
// by itself and tells its watchers they may have missed something.
import { afterEach, describe, expect, it } from 'vitest';
import { LISTENER_APPLICATION_NAME, PostgresOrderChanges, PostgresSql } from '../../src/db';
import type { Logger } from '../../src/log';
import { freshPostgres, postgres } from './postgres-helpers';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Logged {
  level: string;
  event: string;
}

function recordingLog(): Logger & { lines: Logged[] } {
  const lines: Logged[] = [];
  const at = (level: string) => (event: string) => void lines.push({ level, event });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

async function until(done: () => boolean | Promise<boolean>, what: string, poke?: () => void): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    poke?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Two instances on one database: each its own pool and its own listener. */
async function twoInstances() {
  const fresh = await freshPostgres();
  cleanups.push(fresh.drop);
  const make = async () => {
    const sql = PostgresSql.connect(fresh.url, { max: 2 });
    const log = recordingLog();
    const changes = new PostgresOrderChanges({ url: fresh.url, sql, log, minBackoffMs: 50, maxBackoffMs: 400 });
    cleanups.push(() => sql.end());
    cleanups.push(() => changes.close());
    await changes.start();
    return { sql, changes, log };
  };
  return { fresh, a: await make(), b: await make() };
}

describe.skipIf(postgres.skipped !== null)('order changes across instances (LISTEN/NOTIFY)', () => {
  it('a change published by one instance reaches the watchers of another, and its own', async () => {
    const { a, b } = await twoInstances();
    const heardByB: string[] = [];
    const heardByA: string[] = [];
    b.changes.subscribe((orderId) => heardByB.push(orderId));
    a.changes.subscribe((orderId) => heardByA.push(orderId));
    a.changes.publish('order-1');
    await until(() => heardByB.length > 0 && heardByA.length > 0, 'both instances heard order-1');
    expect(heardByB).toEqual(['order-1']);
    expect(heardByA).toEqual(['order-1']);
  });

  it('a listener whose connection is killed listens again by itself, and tells its watchers to read again', async () => {
    const { fresh, a, b } = await twoInstances();
    const heard: string[] = [];
    let missed = 0;
    b.changes.subscribe((orderId) => heard.push(orderId), () => missed++);
    const admin = PostgresSql.connect(fresh.url, { max: 1 });
    cleanups.push(() => admin.end());
    const killed = await admin.all<{ killed: boolean }>(
      'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = ? AND datname = current_database()',
      [LISTENER_APPLICATION_NAME],
    );
    // Both instances' listeners were cut.
    expect(killed).toEqual([{ killed: true }, { killed: true }]);
    await until(() => b.log.lines.some((line) => line.event === 'orders.listen_lost'), 'the listener noticed its connection was lost');
    // /readyz says so while it reconnects, without taking the instance out of service.
    expect(b.changes.readiness()).toEqual({ ok: true, detail: expect.stringMatching(/^not listening since \S+ \(\d+ tries\)/) });
    await b.changes.listening();
    expect(b.changes.readiness().detail).toMatch(/^listening/);
    expect(missed).toBe(1);
    // Published until heard: one sent while the listener was still reconnecting is lost, as it
    // would be for any instance, which is what `missed` is for.
    await until(() => heard.includes('after-kill'), 'the listener heard a change after reconnecting', () => a.changes.publish('after-kill'));
    expect(b.log.lines.filter((line) => line.event === 'orders.listen_lost')).toHaveLength(1);
    expect(b.log.lines.some((line) => line.event === 'orders.listen_recovered')).toBe(true);
  });

  it('a change that cannot be published is logged, not thrown', async () => {
    const fresh = await freshPostgres();
    cleanups.push(fresh.drop);
    const closed = PostgresSql.connect(fresh.url, { max: 1 });
    await closed.end();
    const log = recordingLog();
    new PostgresOrderChanges({ url: fresh.url, sql: closed, log }).publish('order-2');
    await until(() => log.lines.some((line) => line.event === 'orders.notify_failed'), 'the failed publish was logged');
  });
});
