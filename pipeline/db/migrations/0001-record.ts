import { type Kysely, sql } from 'kysely';

/**
 * The first schema of the record: cases and everything that hangs off them, the outbox, the
 * event-type catalogue versions, units, and per-camera rule memory. Times are epoch milliseconds
 * in `bigint` columns (read back as numbers: see open-database.ts), so they compare with the
 * `now` the code passes around without time-zone conversions.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('units')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('community', 'street_office', 'district')`))
    .addColumn('parent_id', 'text', (c) => c.references('units.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('catalogue_versions')
    .addColumn('version', 'serial', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('catalogue', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('camera_id', 'text', (c) => c.notNull())
    .addColumn('grid', 'text', (c) => c.notNull())
    .addColumn('area_type', 'text', (c) => c.notNull())
    .addColumn('zone', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull())
    .addColumn('pending', 'boolean', (c) => c.notNull())
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('sighting_count', 'integer', (c) => c.notNull())
    .addColumn('suppressed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('confidence', 'double precision', (c) => c.notNull())
    .addColumn('boxes', 'jsonb', (c) => c.notNull())
    .addColumn('place', 'jsonb', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('catalogue_version', 'integer', (c) => c.references('catalogue_versions.version'))
    .addColumn('level', 'text', (c) => c.notNull().defaultTo('community'))
    .addColumn('responsible_unit', 'text', (c) => c.notNull())
    .addColumn('deadline_at', 'bigint', (c) => c.notNull())
    .addColumn('dispatched_at', 'bigint')
    .addColumn('accepted_at', 'bigint')
    .addColumn('handled_at', 'bigint')
    .addColumn('closed_at', 'bigint')
    .addColumn('claimed_by', 'text')
    .addColumn('claim_expires_at', 'bigint')
    .addColumn('reopen_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('overdue_at', 'bigint')
    .execute();
  await db.schema.createIndex('cases_status_id').on('cases').columns(['status', 'id']).execute();
  await db.schema.createIndex('cases_pending_id').on('cases').column('id').where(sql.ref('pending'), '=', true).execute();
  await db.schema.createIndex('cases_grid_id').on('cases').columns(['grid', 'id']).execute();
  await db.schema.createIndex('cases_type_id').on('cases').columns(['event_type', 'id']).execute();
  await db.schema.createIndex('cases_camera_type_active').on('cases').columns(['camera_id', 'event_type', 'active']).execute();
  await db.schema.createIndex('cases_camera_type_closed').on('cases').columns(['camera_id', 'event_type', 'closed_at']).execute();
  await db.schema.createIndex('cases_unit_opened').on('cases').columns(['responsible_unit', 'opened_at']).execute();
  await db.schema.createIndex('cases_deadline_active').on('cases').column('deadline_at').where(sql.ref('active'), '=', true).execute();

  await db.schema
    .createTable('verdicts')
    .addColumn('case_id', 'text', (c) => c.primaryKey().references('cases.id').onDelete('cascade'))
    .addColumn('verdict', 'text', (c) => c.notNull().check(sql`verdict in ('confirmed', 'rejected')`))
    .addColumn('reason', 'text')
    .addColumn('correct_type', 'text')
    .addColumn('note', 'text')
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sightings')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('confidence', 'double precision', (c) => c.notNull())
    .addColumn('place', 'jsonb', (c) => c.notNull())
    .addColumn('boxes', 'jsonb', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('frame_index', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sightings_case').on('sightings').columns(['case_id', 'id']).execute();

  await db.schema
    .createTable('evidence')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('score', 'double precision')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema.createIndex('evidence_case').on('evidence').columns(['case_id', 'role']).execute();
  await db.schema.createIndex('evidence_at').on('evidence').column('at').execute();

  await db.schema
    .createTable('handling_steps')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('evidence_id', 'bigint', (c) => c.references('evidence.id'))
    .execute();
  await db.schema.createIndex('handling_steps_case').on('handling_steps').columns(['case_id', 'id']).execute();

  await db.schema
    .createTable('escalations')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('from_level', 'text', (c) => c.notNull())
    .addColumn('to_level', 'text', (c) => c.notNull())
    .addColumn('from_unit', 'text', (c) => c.notNull())
    .addColumn('to_unit', 'text', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text')
    .execute();

  await db.schema
    .createTable('case_audit')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('case_version', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('detail', 'jsonb')
    .execute();
  await db.schema.createIndex('case_audit_case').on('case_audit').columns(['case_id', 'id']).execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull().unique())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('case_version', 'integer', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .execute();
  await db.schema.createIndex('outbox_unsent').on('outbox').column('id').where(sql.ref('sent_at'), 'is', null).execute();

  await db.schema
    .createTable('camera_memory')
    .addColumn('camera_id', 'text', (c) => c.primaryKey())
    .addColumn('memory', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

/** Drops everything the migration made (newest first). */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['camera_memory', 'outbox', 'case_audit', 'escalations', 'handling_steps', 'evidence', 'sightings', 'verdicts', 'cases', 'catalogue_versions', 'units']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
