import { describe, expect, it } from 'vitest';
import type { CaseChanges } from '../cases/case-change-feed.ts';
import { CasePageCache, renderedPage } from './case-page-cache.ts';

/** A change source driven by the test: `change()` is a case change, `live` can be switched off. */
function changes(): CaseChanges & { live: boolean; change(): void } {
  const subs = new Set<() => void>();
  return {
    live: true,
    onChange(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
    change() {
      for (const fn of subs) fn();
    },
  };
}

const page = (text: string) => renderedPage(Buffer.from(text));

describe('case page cache', () => {
  it('renders a page once, serves it until a case changes, then renders again', async () => {
    const feed = changes();
    const cache = new CasePageCache(feed);
    let renders = 0;
    const render = async () => page(`v${++renders}`);
    expect((await cache.page('a', render)).body.toString()).toBe('v1');
    expect((await cache.page('a', render)).body.toString()).toBe('v1');
    expect((await cache.page('b', render)).body.toString()).toBe('v2');
    feed.change();
    expect((await cache.page('a', render)).body.toString()).toBe('v3');
    expect(cache.stats()).toEqual({ hits: 1, misses: 3, pages: 1 });
  });

  it('shares one render among concurrent requests, and never keeps a page rendered before a change', async () => {
    const feed = changes();
    const cache = new CasePageCache(feed);
    const releases: (() => void)[] = [];
    const slow = () =>
      new Promise<ReturnType<typeof page>>((resolve) => {
        const n = releases.length + 1;
        releases.push(() => resolve(page(`v${n}`)));
      });
    const a = cache.page('k', slow);
    const b = cache.page('k', slow);
    expect(releases).toHaveLength(1);
    feed.change();
    // After the change a request does not join the render that started before it.
    const c = cache.page('k', slow);
    expect(releases).toHaveLength(2);
    releases[0]!();
    expect([(await a).body.toString(), (await b).body.toString()]).toEqual(['v1', 'v1']);
    expect(cache.stats().pages).toBe(0);
    releases[1]!();
    expect((await c).body.toString()).toBe('v2');
    expect((await cache.page('k', slow)).body.toString()).toBe('v2');
    expect(releases).toHaveLength(2);
  });

  it('keeps nothing while changes may go unheard, and holds at most maxPages', async () => {
    const feed = changes();
    const cache = new CasePageCache(feed, { maxPages: 2 });
    let renders = 0;
    const render = async () => page(`v${++renders}`);
    feed.live = false;
    await cache.page('a', render);
    await cache.page('a', render);
    expect(renders).toBe(2);
    feed.live = true;
    for (const k of ['a', 'b', 'a', 'c']) await cache.page(k, render);
    // a was used after b, so b went first.
    expect(cache.stats().pages).toBe(2);
    const before = renders;
    await cache.page('a', render);
    await cache.page('c', render);
    expect(renders).toBe(before);
    await cache.page('b', render);
    expect(renders).toBe(before + 1);
  });

  it('renders a page again once it is older than maxAgeMs, even when no change was heard', async () => {
    let clock = 1000;
    const cache = new CasePageCache(changes(), { maxAgeMs: 5000, now: () => clock });
    let renders = 0;
    const render = async () => page(`v${++renders}`);
    expect((await cache.page('a', render)).body.toString()).toBe('v1');
    clock += 5000;
    expect((await cache.page('a', render)).body.toString()).toBe('v1');
    clock += 1;
    expect((await cache.page('a', render)).body.toString()).toBe('v2');
    expect(cache.stats()).toEqual({ hits: 1, misses: 2, pages: 1 });
  });

  it('does not keep a failed render', async () => {
    const cache = new CasePageCache(changes());
    await expect(cache.page('k', async () => Promise.reject(new Error('record down')))).rejects.toThrow('record down');
    expect((await cache.page('k', async () => page('ok'))).body.toString()).toBe('ok');
  });

  it('gives equal bodies equal ETags and different bodies different ones', () => {
    expect(page('x').etag).toBe(page('x').etag);
    expect(page('x').etag).not.toBe(page('y').etag);
    expect(page('x').etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
  });
});
