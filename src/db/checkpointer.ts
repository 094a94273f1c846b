// WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs inside the
// commit that fills the WAL past 1000 pages: it copies those pages into the database file and
// syncs it twice, all on the one thread that also serves every request and runs the worker.
// Under load that was a stall of the event loop every few hundred orders, and a page written
// ten times in a second was copied ten times. Here a second connection checkpoints (PASSIVE:
// never waiting for, nor blocking, the writer or any reader) every `everyMs`, so a busy page is
// copied once per interval and the serving thread never waits for the disk. Should the thread
// stop or fall behind, the serving connection checkpoints itself again past `fallbackPages`,
// so the WAL stays bounded whatever happens here.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database } from './connection';

/** The WAL size (pages) past which the serving connection checkpoints itself: 40 MB at 4 KB pages. */
const fallbackPages = 10_000;
/** SQLite's own default, restored when the thread is gone. */
const defaultPages = 1000;

// Plain JavaScript, so the thread needs no TypeScript loader; the driver is passed by path
// because the thread resolves modules from the process's working folder, not from here.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
let failed = false;
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    failed = false;
  } catch (error) {
    if (!failed) parentPort.postMessage(String(error && error.message || error));
    failed = true;
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Stops the thread; the serving connection checkpoints itself again. */
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `file` (the database `db` serves) on a thread every `everyMs`. A
 * database in memory has no WAL: nothing is started. `onError` hears of a checkpoint that
 * failed (once until one succeeds) or of the thread's end.
 */
export function startCheckpointer(db: Database, file: string, everyMs: number, onError: (message: string) => void): Checkpointer {
  if (file === ':memory:') return { stop: () => Promise.resolve() };
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const thread = new Worker(THREAD, { eval: true, workerData: { driver, file, everyMs } });
  // The thread must not keep a process alive that is otherwise done.
  thread.unref();
  db.pragma(`wal_autocheckpoint = ${fallbackPages}`);
  let stopping = false;
  thread.on('message', (message: string) => onError(`checkpoint failed: ${message}`));
  thread.on('error', (error) => onError(`checkpoint thread failed: ${error.message}`));
  const ended = new Promise<void>((resolve) => {
    thread.once('exit', () => {
      if (db.open) db.pragma(`wal_autocheckpoint = ${defaultPages}`);
      if (!stopping) onError('checkpoint thread ended; the serving connection checkpoints again');
      resolve();
    });
  });
  return {
    async stop() {
      stopping = true;
      thread.postMessage('stop');
      await ended;
    },
  };
}
