import { type Kysely, sql } from 'kysely';

/**
 * Faster case intake (issue 9), two changes:
 *
 * - `case_groups`: per camera, event type and shadow flag, how many cases were ever opened there.
 *   Opening a case bumps it in the same statement, guarded by the count read with the group's
 *   cases (`where opened = <read>`), so two processes that both decided "open" on the same read
 *   open one case: the second bump waits on the first one's row, finds the count moved, and writes
 *   nothing. This replaces begin + advisory lock + read + insert + commit with one statement.
 *   Rows are made by the first open in a group (no row reads as 0), so no backfill.
 * - The `cases_changed` trigger (0004) skips its NOTIFY when the writing transaction says it
 *   will notify itself (`set_config('gridworker.case_changes', 'app', true)`). A transaction that
 *   notifies holds a cluster-wide lock through its commit's WAL flush, which serialises every
 *   notifying commit (no group commit); the case store sends one coalesced notification after its
 *   commits instead (case-change-notifier.ts). Every other writer still notifies through the trigger.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('case_groups')
    .addColumn('camera_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('shadow', 'boolean', (c) => c.notNull())
    .addColumn('opened', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_groups_pkey', ['camera_id', 'event_type', 'shadow'])
    .execute();
  await sql`
    create or replace function gw_cases_changed() returns trigger language plpgsql as $$
    begin
      if coalesce(current_setting('gridworker.case_changes', true), '') <> 'app' then
        perform pg_notify('gw_case_changes', '');
      end if;
      return null;
    end $$`.execute(db);
}

/** Drops the table; the trigger notifies for every change again. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace function gw_cases_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('gw_case_changes', '');
      return null;
    end $$`.execute(db);
  await db.schema.dropTable('case_groups').ifExists().execute();
}
