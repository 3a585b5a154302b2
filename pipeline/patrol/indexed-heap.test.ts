import { describe, expect, it } from 'vitest';
import { IndexedHeap } from './indexed-heap.ts';

describe('IndexedHeap', () => {
  it('pops in key order after random inserts, key changes and deletes', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const heap = new IndexedHeap(200);
    const model = new Map<number, number>();
    for (let step = 0; step < 5000; step++) {
      const item = Math.floor(rand() * 200);
      const op = rand();
      if (op < 0.6) {
        const key = Math.floor(rand() * 1000);
        heap.set(item, key);
        model.set(item, key);
      } else if (op < 0.8) {
        heap.delete(item);
        model.delete(item);
      } else {
        const expected = [...model.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0])[0];
        expect(heap.peek()).toBe(expected?.[0]);
      }
      expect(heap.size).toBe(model.size);
    }
    const order: number[] = [];
    for (let i = heap.pop(); i !== undefined; i = heap.pop()) order.push(i);
    expect(order).toEqual([...model.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0]).map(([i]) => i));
  });

  it('reports +Infinity for the key of an empty heap', () => {
    const heap = new IndexedHeap(3);
    expect(heap.peekKey()).toBe(Number.POSITIVE_INFINITY);
    heap.set(2, 5);
    expect(heap.has(2)).toBe(true);
    expect(heap.peekKey()).toBe(5);
  });
});
