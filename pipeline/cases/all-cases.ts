import type { CaseRecord } from './case-model.ts';
import type { CaseStore } from './case-store.ts';

/** Every case in the store, oldest first, page by page (500 at a time). */
export async function* allCases(store: Pick<CaseStore, 'list'>): AsyncIterable<CaseRecord> {
  let cursor: string | undefined;
  for (;;) {
    const page = await store.list({ limit: 500, ...(cursor ? { cursor } : {}) });
    yield* page.cases;
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}
