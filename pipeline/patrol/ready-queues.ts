import { type CameraState, dueAt, starvesAt } from './camera-state.ts';
import { IndexedHeap } from './indexed-heap.ts';
import { PRIORITIES, type Priority } from './types.ts';

/**
 * Where cameras wait for their next visit. A camera that may be visited sits in its priority's
 * heap (keyed by when it is due) and in the starvation heap (keyed by when it starts to starve);
 * a held camera (quarantine / backoff) sits only in the held heap, keyed by when the hold ends.
 * Disabled and in-flight cameras are in none. Every operation is O(log n).
 */
export class ReadyQueues {
  private readonly due: Record<Priority, IndexedHeap>;
  private readonly starving: IndexedHeap;
  private readonly held: IndexedHeap;

  constructor(
    private readonly cams: readonly CameraState[],
    private readonly starvationFactor: number,
    private readonly leadFraction: number,
  ) {
    const n = cams.length;
    this.due = { key: new IndexedHeap(n), normal: new IndexedHeap(n), low: new IndexedHeap(n) };
    this.starving = new IndexedHeap(n);
    this.held = new IndexedHeap(n);
    for (const c of cams) this.place(c);
  }

  /** Number of cameras held back by setEligibleAt. */
  get heldCount(): number {
    return this.held.size;
  }

  /** Puts a camera where its state says it belongs (after any change to it). */
  place(c: CameraState): void {
    this.remove(c.index);
    if (!c.enabled || c.inFlightSince !== null) return;
    if (c.heldUntil !== Number.NEGATIVE_INFINITY) {
      this.held.set(c.index, c.heldUntil);
      return;
    }
    this.due[c.priority].set(c.index, dueAt(c, this.leadFraction));
    this.starving.set(c.index, starvesAt(c, this.starvationFactor));
  }

  /** Takes a camera out of every heap. */
  remove(index: number): void {
    for (const p of PRIORITIES) this.due[p].delete(index);
    this.starving.delete(index);
    this.held.delete(index);
  }

  /** Returns cameras whose hold has ended to the ready heaps. */
  releaseHeld(now: number): void {
    while (this.held.peekKey() <= now) {
      const c = this.cams[this.held.pop()!]!;
      c.heldUntil = Number.NEGATIVE_INFINITY;
      this.place(c);
    }
  }

  /**
   * The camera to visit next at `now`, or undefined: the most starving camera if any starves,
   * else the earliest due key camera, then normal, then low.
   */
  pick(now: number): number | undefined {
    if (this.starving.peekKey() <= now) return this.starving.peek();
    for (const p of PRIORITIES) if (this.due[p].peekKey() <= now) return this.due[p].peek();
    return undefined;
  }

  /** The earliest instant `pick` could return a camera (a hold ending counts, though the camera may not be due yet). */
  nextPickAt(): number {
    let at = Math.min(this.starving.peekKey(), this.held.peekKey());
    for (const p of PRIORITIES) at = Math.min(at, this.due[p].peekKey());
    return at;
  }

  /** Cameras `pick` would consider due or starving at `now` (O(n); for status only). */
  countDue(now: number): number {
    let n = 0;
    for (const c of this.cams) {
      if (!this.starving.has(c.index)) continue;
      if (this.starving.keyOf(c.index) <= now || this.due[c.priority].keyOf(c.index) <= now) n++;
    }
    return n;
  }
}
