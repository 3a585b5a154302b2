import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CaseRecord, CaseStatus } from '../events/event-model.ts';
import type { CaseKeys } from './case-keys.ts';

/** Filters and paging of a case list. Every given filter must hold. */
export interface CaseListQuery {
  /** A status, or `pending` (open or claimed: waiting for a verdict). Default any. */
  readonly status?: CaseStatus | 'pending';
  readonly grid?: string;
  /** Event type id. */
  readonly type?: string;
  readonly camera?: string;
  /** Only cases whose dispatch job is not known to exist yet. */
  readonly undispatched?: boolean;
  /** Page size, 1-500. Default 50. */
  readonly limit?: number;
  /** `nextCursor` of the previous page (the last case id on it). */
  readonly cursor?: string;
  /** By opening time: asc (oldest first, default: the work queue order) or desc. */
  readonly order?: 'asc' | 'desc';
}

/** One page of a list. */
export interface CaseListPage {
  readonly cases: CaseRecord[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/** The index keys a query intersects (the `all` index when it has no filter). */
function indexKeys(keys: CaseKeys, q: CaseListQuery): string[] {
  const out: string[] = [];
  if (q.status === 'pending') out.push(keys.index('pending'));
  else if (q.status) out.push(keys.byStatus(q.status));
  if (q.grid !== undefined) out.push(keys.byGrid(q.grid));
  if (q.type !== undefined) out.push(keys.byType(q.type));
  if (q.camera !== undefined) out.push(keys.byCamera(q.camera));
  if (q.undispatched) out.push(keys.index('undispatched'));
  return out.length ? out : [keys.index('all')];
}

/**
 * Ids of one page. Indexes are sorted sets with all scores 0, so members sort by id, and ids sort
 * by opening time: a page is a ZRANGE BYLEX after the cursor. Several filters intersect into a
 * scratch key inside one MULTI (created and deleted in the same transaction).
 */
export async function listCases(redis: Redis, keys: CaseKeys, q: CaseListQuery): Promise<{ ids: string[]; nextCursor: string | null }> {
  const limit = q.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new RangeError(`limit must be an integer 1-500, got ${limit}`);
  const desc = q.order === 'desc';
  const after = q.cursor ? `(${q.cursor}` : desc ? '+' : '-';
  const range = desc ? [after, '-', 'BYLEX', 'REV'] : [after, '+', 'BYLEX'];
  const sources = indexKeys(keys, q);
  let ids: string[];
  if (sources.length === 1) {
    ids = (await redis.call('ZRANGE', sources[0]!, ...range, 'LIMIT', 0, limit + 1)) as string[];
  } else {
    const tmp = keys.scratch(randomBytes(8).toString('hex'));
    const res = await redis
      .multi()
      .zinterstore(tmp, sources.length, ...sources)
      .call('ZRANGE', tmp, ...range, 'LIMIT', 0, limit + 1)
      .del(tmp)
      .exec();
    const [, [err, v]] = res as [unknown, [Error | null, string[]]];
    if (err) throw err;
    ids = v;
  }
  const more = ids.length > limit;
  const page = more ? ids.slice(0, limit) : ids;
  return { ids: page, nextCursor: more ? page[page.length - 1]! : null };
}
