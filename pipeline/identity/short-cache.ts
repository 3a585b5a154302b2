/**
 * A tiny time-bounded cache for per-request reads (sessions, tokens): an entry is reused for
 * `ttlMs` of real time, then read again. Bounded in size (cleared when full). The owner deletes
 * entries it changes, so changes made through this process apply at once; changes made by another
 * process apply within `ttlMs`.
 */
export class ShortCache<V> {
  private readonly entries = new Map<string, { readonly value: V; readonly until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly max = 10_000,
  ) {}

  /** The value if cached and fresh, else undefined. */
  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (e && e.until > Date.now()) return e.value;
    if (e) this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V): void {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, { value, until: Date.now() + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Deletes every entry whose value matches. */
  deleteWhere(match: (value: V) => boolean): void {
    for (const [k, e] of this.entries) if (match(e.value)) this.entries.delete(k);
  }
}
