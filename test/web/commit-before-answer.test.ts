// While the worker groups the writes of a turn (db/group-commit.ts), an answer must not report
// what a crash could still take back: every answer but the hot path's own commits first.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { groupCommit } from '../../src/db';
import { startStore, type Store } from '../checkout/helpers';

let store: Store | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await store?.close();
  store = undefined;
});

describe('answers and the turn\'s open writes', () => {
  it('an ordinary answer commits first; POST /pay, callbacks and an order\'s JSON wait for their own commits instead', async () => {
    store = await startStore();
    const commits = vi.spyOn(groupCommit(store.sokoni.db), 'commitNow');

    await store.http.get('/api/products').expect(200);
    expect(commits).toHaveBeenCalled();

    commits.mockClear();
    await store.http.get(`/orders/${randomUUID()}`).set('Accept', 'application/json').expect(404);
    expect(commits).not.toHaveBeenCalled();
  });
});
