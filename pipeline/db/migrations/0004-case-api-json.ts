import { type Kysely, sql } from 'kysely';

/**
 * The case as the API shows it, kept as JSON text on the case row (`api_json`), written with every
 * change, so a page of GET /api/cases is aggregated by PostgreSQL into one text and sent as it is
 * (no per-row decoding and re-encoding in Node). Existing rows are filled here from their columns
 * and verdicts (the expression is frozen with this migration; the live one is
 * pipeline/cases/case-api-json.ts). A statement trigger notifies `gw_case_changes` after any
 * change to cases, so every API process drops the pages it rendered (LISTEN, see case-page-cache.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('cases').addColumn('api_json', 'text').execute();
  await sql`
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
        'verdict', (select jsonb_build_object('verdict', v.verdict, 'by', v.by, 'at', v.at, 'reason', v.reason, 'correctType', v.correct_type, 'note', v.note)
                    from verdicts v where v.case_id = c.id)))
    )::text`.execute(db);
  await db.schema.alterTable('cases').alterColumn('api_json', (col) => col.setNotNull()).execute();
  await sql`
    create function gw_cases_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('gw_case_changes', '');
      return null;
    end $$`.execute(db);
  await sql`create trigger cases_changed after insert or update or delete or truncate on cases for each statement execute function gw_cases_changed()`.execute(db);
}

/** Drops the trigger, its function and the column. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists cases_changed on cases`.execute(db);
  await sql`drop function if exists gw_cases_changed()`.execute(db);
  await db.schema.alterTable('cases').dropColumn('api_json').execute();
}
