import type { CaseListPage, CaseListQuery } from '../cases/case-list.ts';
import type { CaseStore } from '../cases/case-store.ts';
import type { Principal } from '../identity/principal.ts';
import { isGridScoped } from '../identity/roles.ts';

/**
 * A page of the cases `p` may see. Everyone but grid workers sees every grid. A grid worker's
 * list is restricted to their grids: a `grid` filter outside them gives an empty page; without
 * one, the per-grid pages are merged in id order (ids sort by opening time), so paging with
 * `nextCursor` works as for one grid.
 */
export async function listVisibleCases(store: CaseStore, p: Principal, query: CaseListQuery): Promise<CaseListPage> {
  if (!isGridScoped(p.role)) return store.list(query);
  if (query.grid !== undefined) return p.grids.includes(query.grid) ? store.list(query) : { cases: [], nextCursor: null };
  if (p.grids.length === 1) return store.list({ ...query, grid: p.grids[0]! });
  const limit = query.limit ?? 50;
  const pages = await Promise.all(p.grids.map((grid) => store.list({ ...query, grid })));
  const desc = query.order === 'desc';
  const merged = pages.flatMap((pg) => pg.cases).sort((a, b) => (a.id === b.id ? 0 : (a.id < b.id) !== desc ? -1 : 1));
  const more = merged.length > limit || pages.some((pg) => pg.nextCursor !== null);
  const cases = merged.slice(0, limit);
  return { cases, nextCursor: more && cases.length ? cases[cases.length - 1]!.id : null };
}

/**
 * The query restricted to what `p` may see, for a list answered in one query: a grid worker's
 * list is limited to their grids (`grids`), a `grid` filter outside them is null (an empty page).
 * Everyone else's query is unchanged.
 */
export function visibleQuery(p: Principal, query: CaseListQuery): CaseListQuery | null {
  if (!isGridScoped(p.role)) return query;
  if (query.grid !== undefined) return p.grids.includes(query.grid) ? query : null;
  return { ...query, grids: p.grids };
}
