import type { Kysely } from 'kysely';

/**
 * An operator can close an active case by hand (POST /api/cases/:id/close): who closed it and why
 * are kept on the case row, so a repeat of the same close is told apart from a case the re-check
 * or a rejection closed. Both stay null for cases closed any other way.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('cases').addColumn('closed_by', 'text').addColumn('close_reason', 'text').execute();
}

/** Drops the columns. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('cases').dropColumn('close_reason').dropColumn('closed_by').execute();
}
