/**
 * The body of GET /api/cases from the record's JSON text: `{"cases":[...],"count":n,"nextCursor":...}`
 * put together as bytes, without decoding or re-encoding the cases. The cursor is a case id
 * (letters, digits and "_" only), checked before it is written between quotes.
 */
import type { CaseListQuery, CasePageJson } from '../cases/case-list.ts';
import { isCaseId } from '../cases/case-id.ts';
import { type RenderedPage, renderedPage } from './case-page-cache.ts';

/** The response body and ETag of a page. */
export function renderListPage(page: CasePageJson): RenderedPage {
  if (page.nextCursor !== null && !isCaseId(page.nextCursor)) throw new Error(`next cursor "${page.nextCursor.slice(0, 64)}" is not a case id`);
  const cursor = page.nextCursor === null ? 'null' : `"${page.nextCursor}"`;
  return renderedPage(Buffer.from(`{"cases":${page.cases},"count":${page.count},"nextCursor":${cursor}}`));
}

/** The cache key of a (visibility-restricted) query: every field, in a fixed order. */
export function listPageKey(q: CaseListQuery): string {
  return [q.status, q.grid, q.grids?.join(','), q.type, q.camera, q.unit, q.overdue, q.limit, q.cursor, q.order].map((v) => (v === undefined ? '' : String(v))).join('\u0000');
}
