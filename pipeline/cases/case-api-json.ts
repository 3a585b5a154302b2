/**
 * The case as the API shows it, as JSON text on the case row (`api_json`). Node writes it with each
 * change from the record it just computed (caseToRow), the outbox relay's batch update patches it
 * in SQL (markDispatchedMany), and GET /api/cases pages are aggregated from it by PostgreSQL.
 * `rebuildApiJson` builds the same JSON from the columns and the verdict in SQL: for rows written
 * by hand (the list benchmark's seed) and for the test that keeps both writers in agreement.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/db-schema.ts';
import type { CaseRecord } from './case-model.ts';

/** The API text of a case: JSON.stringify of the record (undefined fields left out, as res.json does). */
export const caseApiJson = (c: CaseRecord): string => JSON.stringify(c);

/** Rewrites `api_json` from the columns and verdicts for every case (or the ids given). */
export async function rebuildApiJson(db: Kysely<Database>, ids?: readonly string[]): Promise<number> {
  const only = ids ? sql`where c.id in (${sql.join(ids.map((id) => sql`${id}`))})` : sql``;
  const r = await sql`
    update cases c set api_json = (
      jsonb_build_object(
        'id', c.id, 'version', c.version, 'eventType', c.event_type, 'category', c.category, 'severity', c.severity,
        'cameraId', c.camera_id, 'grid', c.grid, 'areaType', c.area_type, 'zone', c.zone, 'ruleId', c.rule_id,
        'status', c.status, 'openedAt', c.opened_at, 'lastSeenAt', c.last_seen_at, 'firstSeenAt', c.first_seen_at,
        'count', c.sighting_count, 'confidence', c.confidence, 'boxes', c.boxes, 'place', c.place, 'model', c.model,
        'evidence', c.evidence, 'deadline', c.deadline_at, 'responsibleUnit', c.responsible_unit, 'level', c.level,
        'reopenCount', c.reopen_count, 'suppressed', c.suppressed)
      || jsonb_strip_nulls(jsonb_build_object(
        'dispatchedAt', c.dispatched_at, 'claimedBy', c.claimed_by, 'claimExpiresAt', c.claim_expires_at,
        'acceptedAt', c.accepted_at, 'handledAt', c.handled_at, 'closedAt', c.closed_at, 'closedBy', c.closed_by,
        'closeReason', c.close_reason, 'overdueAt', c.overdue_at, 'catalogueVersion', c.catalogue_version,
        'shadow', case when c.shadow then true end,
        'verdict', (select jsonb_build_object('verdict', v.verdict, 'by', v.by, 'at', v.at, 'reason', v.reason, 'correctType', v.correct_type, 'note', v.note)
                    from verdicts v where v.case_id = c.id)))
    )::text ${only}`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}
