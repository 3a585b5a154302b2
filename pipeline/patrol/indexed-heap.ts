/**
 * A binary min-heap of small integer items (0 .. capacity-1), each with a numeric key, that can
 * change or remove any item in O(log n) because it tracks every item's position. Ties go to the
 * lower item number, so the order is deterministic.
 */
export class IndexedHeap {
  private readonly heap: number[] = [];
  private readonly pos: Int32Array;
  private readonly keys: Float64Array;

  /** @param capacity items are 0 .. capacity-1. */
  constructor(readonly capacity: number) {
    this.pos = new Int32Array(capacity).fill(-1);
    this.keys = new Float64Array(capacity);
  }

  /** Number of items in the heap. */
  get size(): number {
    return this.heap.length;
  }

  /** Whether an item is in the heap. */
  has(item: number): boolean {
    return this.pos[item]! >= 0;
  }

  /** The item's key (meaningful only while it is in the heap). */
  keyOf(item: number): number {
    return this.keys[item]!;
  }

  /** The item with the smallest key, or undefined when empty. */
  peek(): number | undefined {
    return this.heap[0];
  }

  /** The smallest key, or +Infinity when empty. */
  peekKey(): number {
    const top = this.heap[0];
    return top === undefined ? Number.POSITIVE_INFINITY : this.keys[top]!;
  }

  /** Inserts an item or changes its key. */
  set(item: number, key: number): void {
    const at = this.pos[item]!;
    this.keys[item] = key;
    if (at < 0) {
      this.heap.push(item);
      this.pos[item] = this.heap.length - 1;
      this.up(this.heap.length - 1);
    } else {
      this.down(this.up(at));
    }
  }

  /** Removes an item if present. */
  delete(item: number): void {
    const at = this.pos[item]!;
    if (at < 0) return;
    const last = this.heap.pop()!;
    this.pos[item] = -1;
    if (last === item) return;
    this.heap[at] = last;
    this.pos[last] = at;
    this.down(this.up(at));
  }

  /** Removes and returns the item with the smallest key. */
  pop(): number | undefined {
    const top = this.heap[0];
    if (top !== undefined) this.delete(top);
    return top;
  }

  private less(a: number, b: number): boolean {
    const ka = this.keys[a]!;
    const kb = this.keys[b]!;
    return ka < kb || (ka === kb && a < b);
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    this.heap[i] = b;
    this.heap[j] = a;
    this.pos[b] = i;
    this.pos[a] = j;
  }

  private up(i: number): number {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.heap[i]!, this.heap[parent]!)) break;
      this.swap(i, parent);
      i = parent;
    }
    return i;
  }

  private down(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < n && this.less(this.heap[l]!, this.heap[min]!)) min = l;
      if (r < n && this.less(this.heap[r]!, this.heap[min]!)) min = r;
      if (min === i) return;
      this.swap(i, min);
      i = min;
    }
  }
}
