import type { Kysely } from 'kysely';

/**
 * Shadow mode: cases opened from a candidate model's hits are marked (verified, never
 * dispatched), and a candidate's promotion is kept once made (who, when, on what precision).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('cases').addColumn('shadow', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
  await db.schema
    .createTable('model_promotions')
    .addColumn('model', 'text', (c) => c.primaryKey())
    .addColumn('promoted_at', 'bigint', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('detail', 'jsonb', (c) => c.notNull())
    .execute();
}

/** Drops the table and the column. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('model_promotions').ifExists().execute();
  await db.schema.alterTable('cases').dropColumn('shadow').execute();
}
