// The min-heap of deadlines the sandbox's approvals and the worker's next checks share.
import { describe, expect, it } from 'vitest';
import { DeadlineHeap } from '../src/deadline-heap';

describe('DeadlineHeap', () => {
  it('pops deadlines soonest first, and popDue only those at or before now', () => {
    const heap = new DeadlineHeap<string>();
    for (const [at, item] of [[30, 'c'], [10, 'a'], [20, 'b'], [10, 'a2'], [40, 'd']] as const) heap.push(at, item);
    expect(heap.peek()?.at).toBe(10);
    const due: string[] = [];
    for (let next = heap.popDue(20); next; next = heap.popDue(20)) due.push(next.item);
    expect(due.sort()).toEqual(['a', 'a2', 'b']);
    expect(heap.size).toBe(2);
    expect(heap.popDue(29)).toBeUndefined();
    expect(heap.pop()?.item).toBe('c');
    expect(heap.popDue(Infinity)?.item).toBe('d');
    expect(heap.popDue(Infinity)).toBeUndefined();
  });
});
