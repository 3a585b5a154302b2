/**
 * Rendered pages of GET /api/cases, kept in memory until a case changes. A page is the response
 * body as bytes (PostgreSQL's JSON text, wrapped) and its ETag; every change heard (any case, any
 * process: case-change-feed.ts) drops them all, and while changes may go unheard (the LISTEN
 * connection lost) nothing is kept. A page rendered from a snapshot older than the last change is
 * never kept; concurrent requests for the same missing page share one query. A page is also
 * rendered again once older than `maxAgeMs`: the store sends its change notice after the commit,
 * so a writer killed between the two leaves other processes' pages stale; the age bounds that.
 */
import { createHash } from 'node:crypto';
import type { CaseChanges } from '../cases/case-change-feed.ts';

/** A response body and its ETag. */
export interface RenderedPage {
  readonly body: Buffer;
  readonly etag: string;
}

/** Options of a CasePageCache. */
export interface CasePageCacheOptions {
  /** Pages kept at most (least recently used dropped first). Default 1000. */
  readonly maxPages?: number;
  /** A kept page is served for at most this long, ms. Default 5000. */
  readonly maxAgeMs?: number;
  /** Clock, ms (tests). Default Date.now. */
  readonly now?: () => number;
}

/** Wraps a body with its ETag (a SHA-1 of the bytes, base64url). */
export function renderedPage(body: Buffer): RenderedPage {
  return { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
}

/** Rendered pages by key, dropped on every case change. */
export class CasePageCache {
  private readonly pages = new Map<string, { readonly page: RenderedPage; readonly keptAt: number }>();
  private readonly inflight = new Map<string, Promise<RenderedPage>>();
  private readonly maxPages: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private generation = 0;
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly changes: CaseChanges,
    options: CasePageCacheOptions = {},
  ) {
    this.maxPages = options.maxPages ?? 1000;
    this.maxAgeMs = options.maxAgeMs ?? 5000;
    this.now = options.now ?? Date.now;
    changes.onChange(() => this.drop());
  }

  /** The page for `key`, from memory or from `render` (kept only if no change came in meanwhile). */
  page(key: string, render: () => Promise<RenderedPage>): Promise<RenderedPage> {
    if (!this.changes.live) return render();
    const hit = this.pages.get(key);
    if (hit && this.now() - hit.keptAt <= this.maxAgeMs) {
      this.hits++;
      // Least recently used goes first: a hit moves to the end.
      this.pages.delete(key);
      this.pages.set(key, hit);
      return Promise.resolve(hit.page);
    }
    if (hit) this.pages.delete(key);
    const pending = this.inflight.get(key);
    if (pending) return pending;
    this.misses++;
    const generation = this.generation;
    const p = render().then(
      (page) => {
        if (this.inflight.get(key) === p) this.inflight.delete(key);
        if (generation === this.generation && this.changes.live) this.keep(key, page);
        return page;
      },
      (err: unknown) => {
        if (this.inflight.get(key) === p) this.inflight.delete(key);
        throw err;
      },
    );
    this.inflight.set(key, p);
    return p;
  }

  /** Hits and misses so far, and the pages held. */
  stats(): { readonly hits: number; readonly misses: number; readonly pages: number } {
    return { hits: this.hits, misses: this.misses, pages: this.pages.size };
  }

  private keep(key: string, page: RenderedPage): void {
    this.pages.set(key, { page, keptAt: this.now() });
    if (this.pages.size > this.maxPages) this.pages.delete(this.pages.keys().next().value!);
  }

  private drop(): void {
    this.generation++;
    this.pages.clear();
    // A request after the change must not join a query that may have started before it.
    this.inflight.clear();
  }
}
