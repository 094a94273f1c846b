// Group commit: while a worker serves, the writes of one turn of the event loop share a commit,
// each stays atomic on its own, and nothing waiting on them runs before they are committed. A
// second connection to the same file is what a crash would leave: it sees only what is committed.
import { afterEach, describe, expect, it } from 'vitest';
import { groupCommit, openDatabase, type Database } from '../../src/db';
import { tempDatabase, type TempDatabase } from './helpers';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function setup(): { t: TempDatabase; other: Database; insert(name: string): void; names(): string[] } {
  const t = tempDatabase({ migrate: false });
  cleanups.push(t.close);
  t.db.exec('CREATE TABLE notes (name TEXT PRIMARY KEY)');
  const other = openDatabase(t.file);
  cleanups.push(() => other.close());
  const insert = t.db.prepare('INSERT INTO notes (name) VALUES (?)');
  return {
    t,
    other,
    insert: (name) => insert.run(name),
    names: () => other.prepare('SELECT name FROM notes ORDER BY name').pluck().all() as string[],
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('group commit', () => {
  it('while grouping, one turn of writes is committed once, at the end of the turn', async () => {
    const s = setup();
    const group = groupCommit(s.t.db);
    group.setGrouping(true);
    cleanups.unshift(() => group.setGrouping(false));
    group.write(() => s.insert('a'));
    group.write(() => s.insert('b'));
    expect(s.names()).toEqual([]);
    const order: string[] = [];
    group.afterCommit(() => order.push(`after: ${s.names().join(',')}`));
    await group.committed();
    order.push(`committed: ${s.names().join(',')}`);
    expect(order).toEqual(['after: a,b', 'committed: a,b']);
    // Nothing open: the next wait resolves at once, and the next write opens a new group.
    await group.committed();
    group.write(() => s.insert('c'));
    await nextTurn();
    expect(s.names()).toEqual(['a', 'b', 'c']);
  });

  it('a write that throws takes back only its own writes; the turn\'s others are committed', async () => {
    const s = setup();
    const group = groupCommit(s.t.db);
    group.setGrouping(true);
    cleanups.unshift(() => group.setGrouping(false));
    group.write(() => s.insert('a'));
    expect(() => group.write(() => {
      s.insert('b');
      s.insert('a');
    })).toThrow(/UNIQUE/);
    group.write(() => s.insert('c'));
    await group.committed();
    expect(s.names()).toEqual(['a', 'c']);
  });

  it('a one-statement write takes no savepoint, and when its statement fails leaves nothing of its own', async () => {
    const s = setup();
    const group = groupCommit(s.t.db);
    group.setGrouping(true);
    cleanups.unshift(() => group.setGrouping(false));
    group.write(() => s.insert('a'));
    let released: unknown = null;
    group.writeOne(() => {
      try {
        s.t.db.exec('RELEASE sokoni_step');
      } catch (error) {
        released = error;
      }
    });
    expect(String(released)).toMatch(/no such savepoint/);
    // One statement, two rows, the second a duplicate: SQLite takes back the first row too.
    expect(() => group.writeOne(() => s.t.db.prepare("INSERT INTO notes (name) VALUES ('d'), ('a')").run())).toThrow(/UNIQUE/);
    group.writeOne(() => s.insert('c'));
    await group.committed();
    expect(s.names()).toEqual(['a', 'c']);
  });

  it('a commit that fails rejects its waiters and skips what was to run after it', async () => {
    const s = setup();
    const group = groupCommit(s.t.db);
    group.setGrouping(true);
    cleanups.unshift(() => group.setGrouping(false));
    // A deferred foreign key is checked at COMMIT: the commit itself fails.
    s.t.db.exec('CREATE TABLE refs (note TEXT REFERENCES notes(name) DEFERRABLE INITIALLY DEFERRED)');
    group.write(() => s.insert('a'));
    group.write(() => s.t.db.prepare("INSERT INTO refs (note) VALUES ('missing')").run());
    let ran = false;
    group.afterCommit(() => (ran = true));
    await expect(group.committed()).rejects.toThrow(/FOREIGN KEY/);
    expect(ran).toBe(false);
    expect(s.names()).toEqual([]);
    // The connection is usable again, in a new group.
    group.write(() => s.insert('b'));
    await group.committed();
    expect(s.names()).toEqual(['b']);
  });

  it('off (commands, tests, start-up), each write commits at once; turning it off commits what is open', () => {
    const s = setup();
    const group = groupCommit(s.t.db);
    group.write(() => s.insert('a'));
    expect(s.names()).toEqual(['a']);
    group.setGrouping(true);
    group.write(() => s.insert('b'));
    expect(s.names()).toEqual(['a']);
    group.setGrouping(false);
    expect(s.names()).toEqual(['a', 'b']);
  });
});
