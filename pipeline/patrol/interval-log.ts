/**
 * The most recent N values (revisit intervals, seconds) in a ring buffer, so status can report
 * quantiles over recent behaviour without growing without bound.
 */
export class IntervalLog {
  private readonly values: Float64Array;
  private next = 0;
  private count = 0;

  /** @param capacity how many recent values are kept (at least 1). */
  constructor(capacity: number) {
    this.values = new Float64Array(Math.max(1, Math.floor(capacity)));
  }

  /** Records one value. */
  add(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.values.length;
    if (this.count < this.values.length) this.count++;
  }

  /** The kept values, oldest first. */
  recent(): number[] {
    const n = this.values.length;
    const start = this.count < n ? 0 : this.next;
    return Array.from({ length: this.count }, (_, i) => this.values[(start + i) % n]!);
  }
}
