import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import type { CasesTable, Database } from '../db/db-schema.ts';
import type { CaseRecord, CaseStatus } from './case-model.ts';
import { rowToCase } from './case-row.ts';

/** Filters and paging of a case list. Every given filter must hold. */
export interface CaseListQuery {
  /** A status, `pending` (waiting for a verdict) or `active` (anything but closed and rejected). Default any. */
  readonly status?: CaseStatus | 'pending' | 'active';
  readonly grid?: string;
  /** Event type id. */
  readonly type?: string;
  readonly camera?: string;
  /** Responsible unit. */
  readonly unit?: string;
  /** Only cases flagged overdue and still active. */
  readonly overdue?: boolean;
  /** Only cases in these grids (a grid worker's); an empty list matches nothing. Default any grid. */
  readonly grids?: readonly string[];
  /** Page size, 1-500. Default 50. */
  readonly limit?: number;
  /** `nextCursor` of the previous page (the last case id on it). */
  readonly cursor?: string;
  /** By opening time (ids sort by it): asc (oldest first, default: the work queue order) or desc. */
  readonly order?: 'asc' | 'desc';
}

/** One page of a list. */
export interface CaseListPage {
  readonly cases: CaseRecord[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/** The case columns a record is read from (all but `api_json`, the API's copy of the same). */
const RECORD_COLUMNS = [
  'id', 'version', 'event_type', 'category', 'severity', 'camera_id', 'grid', 'area_type', 'zone', 'status', 'active', 'pending',
  'opened_at', 'first_seen_at', 'last_seen_at', 'sighting_count', 'suppressed', 'confidence', 'boxes', 'place', 'model', 'rule_id',
  'catalogue_version', 'level', 'responsible_unit', 'deadline_at', 'dispatched_at', 'accepted_at', 'handled_at', 'closed_at',
  'claimed_by', 'claim_expires_at', 'reopen_count', 'overdue_at', 'evidence', 'shadow', 'closed_by', 'close_reason',
] as const satisfies readonly Exclude<keyof CasesTable, 'api_json'>[];

/** Cases joined with their verdicts: the one select every read of whole records uses. */
export function selectCases(db: Kysely<Database>) {
  return db
    .selectFrom('cases')
    .leftJoin('verdicts', 'verdicts.case_id', 'cases.id')
    .select(RECORD_COLUMNS.map((c) => `cases.${c}` as const))
    .select([
      'verdicts.verdict as v_verdict',
      'verdicts.reason as v_reason',
      'verdicts.correct_type as v_correct_type',
      'verdicts.note as v_note',
      'verdicts.by as v_by',
      'verdicts.at as v_at',
    ]);
}

/** The filters of a query as one condition on `cases` (every given filter must hold; the cursor included). */
function matches(q: CaseListQuery) {
  const desc = q.order === 'desc';
  return (eb: ExpressionBuilder<Database, 'cases'>): Expression<SqlBool> => {
    const all: Expression<SqlBool>[] = [];
    if (q.status === 'pending') all.push(eb('cases.pending', '=', true));
    else if (q.status === 'active') all.push(eb('cases.active', '=', true));
    else if (q.status) all.push(eb('cases.status', '=', q.status));
    if (q.grid !== undefined) all.push(eb('cases.grid', '=', q.grid));
    if (q.grids !== undefined) all.push(q.grids.length ? eb('cases.grid', 'in', [...q.grids]) : eb.lit(false));
    if (q.type !== undefined) all.push(eb('cases.event_type', '=', q.type));
    if (q.camera !== undefined) all.push(eb('cases.camera_id', '=', q.camera));
    if (q.unit !== undefined) all.push(eb('cases.responsible_unit', '=', q.unit));
    if (q.overdue) all.push(eb('cases.overdue_at', 'is not', null), eb('cases.active', '=', true));
    if (q.cursor) all.push(eb('cases.id', desc ? '<' : '>', q.cursor));
    return eb.and(all);
  };
}

function pageLimit(q: CaseListQuery): number {
  const limit = q.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new RangeError(`limit must be an integer 1-500, got ${limit}`);
  return limit;
}

/**
 * One page, answered from indexes: keyset paging on the id (ids sort by opening time), so page N
 * costs what page 1 costs. `pending` uses the partial index on pending cases.
 */
export async function listCases(db: Kysely<Database>, q: CaseListQuery): Promise<CaseListPage> {
  const limit = pageLimit(q);
  const desc = q.order === 'desc';
  const pageQuery = selectCases(db).where(matches(q)).orderBy('cases.id', desc ? 'desc' : 'asc').limit(limit + 1);
  // PostgreSQL builds the page as one JSON text: one value for the driver to hand over and one
  // native JSON.parse, instead of ~40 typed columns per row parsed one by one.
  const order = desc ? sql`q.id desc` : sql`q.id asc`;
  const res = await sql<{ page: string }>`select coalesce(json_agg(q order by ${order}), '[]'::json)::text as page from (${pageQuery}) q`.execute(db);
  const parsed: unknown = JSON.parse(res.rows[0]?.page ?? '[]');
  if (!Array.isArray(parsed)) throw new TypeError('case page read from the record is not a JSON array');
  const rows: unknown[] = parsed;
  const more = rows.length > limit;
  const page = (more ? rows.slice(0, limit) : rows).map(rowToCase);
  return { cases: page, nextCursor: more ? page[page.length - 1]!.id : null };
}

/** One page as the API sends it: the cases as one JSON array text, built by PostgreSQL. */
export interface CasePageJson {
  /** `[{...},{...}]`: each case's `api_json`, in page order. */
  readonly cases: string;
  readonly count: number;
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/** The one row listCasesJson's statement answers, checked. */
const pageJsonRow = z.object({ cases: z.string(), count: z.number().int(), last: z.string().nullable(), more: z.boolean() });

/**
 * The same page as listCases, as JSON text: PostgreSQL joins the cases' stored API texts into one
 * array, counts them and finds the cursor, so Node decodes nothing (one row of three values).
 */
export async function listCasesJson(db: Kysely<Database>, q: CaseListQuery): Promise<CasePageJson> {
  const limit = pageLimit(q);
  const dir = q.order === 'desc' ? sql`desc` : sql`asc`;
  const pageQuery = db.selectFrom('cases').select(['cases.id', 'cases.api_json']).where(matches(q)).orderBy('cases.id', q.order === 'desc' ? 'desc' : 'asc').limit(limit + 1);
  const res = await sql<unknown>`
    with q as (select p.id, p.api_json, row_number() over (order by p.id ${dir}) as rn from (${pageQuery}) p)
    select '[' || coalesce(string_agg(api_json, ',' order by rn) filter (where rn <= ${limit}), '') || ']' as cases,
      (count(*) filter (where rn <= ${limit}))::int as count,
      max(id) filter (where rn = ${limit}) as last,
      count(*) > ${limit} as more
    from q`.execute(db);
  if (!res.rows[0]) return { cases: '[]', count: 0, nextCursor: null };
  const row = pageJsonRow.parse(res.rows[0]);
  return { cases: row.cases, count: row.count, nextCursor: row.more ? row.last : null };
}
