/**
 * Coalescing without a timer, shared by the repeat sightings' group read and group commit: items
 * handed in while `maxInFlight` batches are running wait in a queue, and each running lane takes
 * the next batch from it as soon as its own returns. The first item after a quiet spell starts a
 * lane at once. `take` removes the next batch from the queue (it may leave items behind, e.g. a
 * case already being written); an empty batch ends the lane. `run` settles its items' callers
 * itself and must not throw.
 */
export class BatchLanes<T> {
  private readonly queue: T[] = [];
  private readonly lanes = new Set<Promise<void>>();
  private running = 0;

  constructor(
    private readonly maxInFlight: number,
    private readonly take: (queue: T[]) => T[],
    private readonly run: (batch: T[]) => Promise<void>,
  ) {}

  /** Queues an item; starts a lane when fewer than `maxInFlight` run. */
  push(item: T): void {
    this.queue.push(item);
    if (this.running >= this.maxInFlight) return;
    this.running++;
    const lane = this.drain();
    this.lanes.add(lane);
    void lane.finally(() => this.lanes.delete(lane));
  }

  /** Resolves when no lane runs (items pushed meanwhile are waited for too). */
  async idle(): Promise<void> {
    while (this.lanes.size > 0) await Promise.all([...this.lanes]);
  }

  private async drain(): Promise<void> {
    for (;;) {
      const batch = this.take(this.queue);
      if (batch.length === 0) {
        // Counted down in the same tick as the empty take: an item arriving next starts a lane.
        this.running--;
        return;
      }
      await this.run(batch);
    }
  }
}
