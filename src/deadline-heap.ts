// A binary min-heap on `at`: the soonest of many deadlines at hand, so tens of thousands of them
// cost one timer in total (the sandbox's pending approvals) or one look (the worker's next checks).
export interface Due<T> {
  at: number;
  item: T;
}

export class DeadlineHeap<T> {
  private readonly items: Due<T>[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Due<T> | undefined {
    return this.items[0];
  }

  push(at: number, item: T): void {
    const a = this.items;
    a.push({ at, item });
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]!.at <= a[i]!.at) break;
      [a[parent], a[i]] = [a[i]!, a[parent]!];
      i = parent;
    }
  }

  pop(): Due<T> | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let min = i;
        if (l < a.length && a[l]!.at < a[min]!.at) min = l;
        if (r < a.length && a[r]!.at < a[min]!.at) min = r;
        if (min === i) break;
        [a[min], a[i]] = [a[i]!, a[min]!];
        i = min;
      }
    }
    return top;
  }

  /** The soonest deadline if it is at or before `now`, taken off the heap; else undefined. */
  popDue(now: number): Due<T> | undefined {
    const top = this.items[0];
    return top !== undefined && top.at <= now ? this.pop() : undefined;
  }

  clear(): void {
    this.items.length = 0;
  }
}
