// WAL checkpoints on their own thread: pages written by the serving connection reach the
// database file without that connection ever checkpointing, and once the thread stops the
// connection checkpoints itself again at SQLite's usual size.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from '../../src/db';
import { tempDatabase } from './helpers';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return done();
}

describe('the checkpointer', () => {
  it('copies the WAL into the database file from its own thread, and hands checkpoints back when stopped', async () => {
    const t = tempDatabase({ migrate: false });
    cleanups.push(t.close);
    const errors: string[] = [];
    const checkpointer = startCheckpointer(t.db, t.file, 20, (message) => errors.push(message));
    cleanups.push(() => checkpointer.stop());
    // The serving connection would only checkpoint past 10,000 pages; this writes a few hundred.
    expect(t.db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    t.db.exec('CREATE TABLE notes (body BLOB)');
    const insert = t.db.prepare('INSERT INTO notes (body) VALUES (randomblob(1000))');
    t.db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run();
    })();
    expect(await until(() => fs.statSync(t.file).size > 1_500_000, 5000)).toBe(true);

    await checkpointer.stop();
    expect(t.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(errors).toEqual([]);
  });
});
