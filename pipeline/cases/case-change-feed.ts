/**
 * "Some case changed": what a cache of rendered case pages needs to drop them. Two sources: the
 * record's `gw_case_changes` notifications (a statement trigger on `cases`, migration 0004, or the
 * store's own notification after its hot-path writes, case-change-notifier.ts: changes by any
 * process, PostgreSQL or embedded), and the writes of the case stores it follows in this
 * process, heard the moment they commit (so a client reading right after its own write never gets
 * the page from before it). `live` is false while the notifications may be missed (the LISTEN
 * connection is lost): a cache must not serve then.
 */
import type { DatabaseHandle } from '../db/open-database.ts';
import type { DbListener } from '../db/db-listener.ts';
import type { CaseStore } from './case-store.ts';
import { CASE_CHANGES_CHANNEL } from './case-change-notifier.ts';

/** A source of case-change signals. */
export interface CaseChanges {
  /** True while every change is heard. */
  readonly live: boolean;
  /** Calls `fn` after each change (or possible missed changes); returns the unsubscribe function. */
  onChange(fn: () => void): () => void;
}

/** Case changes heard from the record and from the stores followed in this process. */
export class CaseChangeFeed implements CaseChanges {
  private readonly subscribers = new Set<() => void>();
  private readonly unfollow: (() => void)[] = [];
  private listener: DbListener | undefined;
  private closing: Promise<void> | undefined;

  /** Starts listening on the record's channel. */
  static async open(handle: Pick<DatabaseHandle, 'listen'>): Promise<CaseChangeFeed> {
    const feed = new CaseChangeFeed();
    feed.listener = await handle.listen(CASE_CHANGES_CHANNEL, () => feed.changed());
    return feed;
  }

  get live(): boolean {
    return this.closing === undefined && this.listener?.live === true;
  }

  /** Hears `store`'s writes as they commit. */
  follow(store: Pick<CaseStore, 'onWrite'>): this {
    this.unfollow.push(store.onWrite(() => this.changed()));
    return this;
  }

  onChange(fn: () => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /** Stops listening. Safe to call twice. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      for (const off of this.unfollow.splice(0)) off();
      this.changed();
      await this.listener?.close();
    })());
  }

  private changed(): void {
    for (const fn of this.subscribers) fn();
  }
}
