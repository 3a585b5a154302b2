import { type Kysely, sql } from 'kysely';

/**
 * The case's current evidence pointers (first, latest, best, raw, after, handled photo) on the
 * case row, so reading a case or a page of them needs no join; the `evidence` table keeps every
 * file ever attached (what retention walks). The first migration is the previous release's schema.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('cases').addColumn('evidence', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`)).execute();
  // The relay's claim on an unsent outbox row: several relays (one per worker process) share the
  // table, each takes rows nobody holds (or whose holder died: the claim lapses).
  await db.schema.alterTable('outbox').addColumn('claimed_until', 'bigint').execute();
}

/** Drops the column. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('claimed_until').execute();
  await db.schema.alterTable('cases').dropColumn('evidence').execute();
}
