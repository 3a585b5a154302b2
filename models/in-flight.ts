/**
 * Calls in flight per key (a model's card id), so a model being dropped can wait until every
 * call made before the drop has settled. Counts calls, not results: a rejected call counts as done.
 */
export class InFlight {
  private readonly counts = new Map<string, number>();
  private readonly waiters = new Map<string, (() => void)[]>();

  /** Calls of this key not settled yet. */
  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Counts one more under `key` until the returned function is called (calling it again does nothing). */
  enter(key: string): () => void {
    this.counts.set(key, this.count(key) + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.done(key);
    };
  }

  /** Runs `call` counted under `key` until its promise settles (a synchronous throw settles it too). */
  track<T>(key: string, call: () => Promise<T>): Promise<T> {
    const leave = this.enter(key);
    let p: Promise<T>;
    try {
      p = call();
    } catch (err) {
      p = Promise.reject(err as Error);
    }
    return p.finally(leave);
  }

  /** Resolves once `key` has no call in flight (at once when it has none). */
  idle(key: string): Promise<void> {
    if (this.count(key) === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const list = this.waiters.get(key) ?? [];
      list.push(resolve);
      this.waiters.set(key, list);
    });
  }

  private done(key: string): void {
    const left = this.count(key) - 1;
    if (left > 0) {
      this.counts.set(key, left);
      return;
    }
    this.counts.delete(key);
    const list = this.waiters.get(key) ?? [];
    this.waiters.delete(key);
    for (const resolve of list) resolve();
  }
}
