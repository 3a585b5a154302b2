import type { Redis } from 'ioredis';
import { closeRedis, createRedis } from '../distributed/redis-connection.ts';
import type { Logger } from '../log.ts';
import { type LiveEvent, liveEventSchema, liveStreamKey } from './live-event.ts';
import { compareStreamIds } from './stream-id.ts';

/** A feed entry: its stream id and the event. */
export interface LiveEntry {
  readonly id?: string;
  readonly event: LiveEvent;
}

/** Options of {@link LiveHub}. */
export interface LiveHubOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly log: Logger;
  /** Longest replay for a resuming client, entries. Default 500. */
  readonly maxReplay?: number;
}

type Listener = (entry: LiveEntry) => void;

/**
 * The API side of the live feed: one blocking reader of the Redis stream per API process, fanned
 * out to every connected console (GET /api/live). A console that reconnects with Last-Event-ID
 * gets what it missed from the stream (up to `maxReplay` entries), then the live entries.
 */
export class LiveHub {
  private readonly listeners = new Set<Listener>();
  private readonly enders = new Map<Listener, () => void>();
  private reader: Redis | undefined;
  private lastId = '$';
  private running: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private stop: () => void = () => undefined;
  /** Resolves (to null, as an empty read) when close() begins. */
  private readonly stopped = new Promise<null>((resolve) => (this.stop = () => resolve(null)));

  constructor(private readonly options: LiveHubOptions) {}

  /** Starts reading the stream. Idempotent. */
  start(): void {
    if (this.running || this.closing) return;
    this.reader = createRedis(this.options.redisUrl, 'worker', (err) => this.options.log.warn({ err: err.message }, 'live feed reader: Redis error'));
    this.running = this.readLoop(this.reader);
  }

  /**
   * Calls `listener` for every new entry until the returned function is called; `onEnd` when the
   * hub closes (the route ends its response so the HTTP server can stop at once).
   */
  subscribe(listener: Listener, onEnd?: () => void): () => void {
    this.listeners.add(listener);
    if (onEnd) this.enders.set(listener, onEnd);
    return () => {
      this.listeners.delete(listener);
      this.enders.delete(listener);
    };
  }

  /** Entries after `afterId` (exclusive), oldest first, at most `maxReplay`. */
  async replay(redis: Redis, afterId: string): Promise<LiveEntry[]> {
    const rows = await redis.xrange(liveStreamKey(this.options.prefix), `(${afterId}`, '+', 'COUNT', this.options.maxReplay ?? 500);
    return rows.flatMap(([id, fields]) => this.parse(id, fields));
  }

  /** Connected consoles. */
  get clients(): number {
    return this.listeners.size;
  }

  /** Stops the reader. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const enders = [...this.enders.values()];
      this.listeners.clear();
      this.enders.clear();
      for (const end of enders) end();
      // A blocked XREAD never answers QUIT, and one queued while Redis is away never settles:
      // the loop stops waiting on it at once, then the connection is dropped.
      this.stop();
      this.reader?.disconnect();
      await this.running?.catch(() => undefined);
      if (this.reader) await closeRedis(this.reader);
    })();
    return this.closing;
  }

  private async readLoop(redis: Redis): Promise<void> {
    const key = liveStreamKey(this.options.prefix);
    while (!this.closing) {
      try {
        const res = await Promise.race([redis.xread('COUNT', 200, 'BLOCK', 5000, 'STREAMS', key, this.lastId), this.stopped]);
        for (const [, rows] of res ?? []) {
          for (const [id, fields] of rows) {
            this.lastId = id;
            for (const entry of this.parse(id, fields)) this.emit(entry);
          }
        }
      } catch (err) {
        if (this.closing) return;
        this.options.log.warn({ err: (err as Error).message }, 'live feed read failed; retrying');
        await Promise.race([new Promise((r) => setTimeout(r, 1000)), this.stopped]);
      }
    }
  }

  private parse(id: string, fields: string[]): LiveEntry[] {
    const raw = fields[fields.indexOf('e') + 1];
    try {
      const parsed = liveEventSchema.safeParse(JSON.parse(raw ?? ''));
      if (parsed.success) return [{ id, event: parsed.data }];
      this.options.log.warn({ id, err: parsed.error.message }, 'live feed entry does not fit the schema; skipped');
    } catch (err) {
      this.options.log.warn({ id, err: (err as Error).message }, 'live feed entry is not JSON; skipped');
    }
    return [];
  }

  private emit(entry: LiveEntry): void {
    for (const l of this.listeners) l(entry);
  }
}

/** True when entry `id` is newer than `than` (entries without an id always pass). */
export const isNewer = (id: string | undefined, than: string | undefined): boolean => !id || !than || compareStreamIds(id, than) > 0;
