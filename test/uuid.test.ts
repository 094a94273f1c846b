// Order ids are time-ordered (version 7) so that new orders' index entries sit together; what
// people quote of an id is its random end.
import { describe, expect, it } from 'vitest';
import { ANY_UUID, shortId, timeOrderedUuid } from '../src/uuid';

describe('timeOrderedUuid', () => {
  it('is a version 7 UUID with the time in its first 48 bits, which the routes accept as an id', () => {
    const at = Date.UTC(2026, 11, 2, 19, 33);
    const id = timeOrderedUuid(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(id).toMatch(ANY_UUID);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts by time, and two made in the same millisecond differ', () => {
    const ids = [3, 1, 2].map((ms) => timeOrderedUuid(1_800_000_000_000 + ms));
    expect([...ids].sort()).toEqual([ids[1], ids[2], ids[0]]);
    expect(timeOrderedUuid(5)).not.toBe(timeOrderedUuid(5));
  });
});

describe('shortId', () => {
  it('is the random end of an id: orders made in the same minute are told apart', () => {
    const at = 1_800_000_000_000;
    const [a, b] = [timeOrderedUuid(at), timeOrderedUuid(at + 1)];
    expect(a.slice(0, 8)).toBe(b.slice(0, 8));
    expect(shortId(a)).toBe(a.slice(-8));
    expect(shortId(a)).not.toBe(shortId(b));
  });
});
