/**
 * The `units` table kept in step with the event-type catalogue: filled at start and on every
 * catalogue reload (units the catalogue no longer names are removed; cases keep the unit name they
 * carry, as text), listed for GET /api/units, and looked up when an operator reassigns a case.
 * Rows read back are checked with zod.
 */
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/db-schema.ts';
import type { EventTypeDef } from '../events/event-model.ts';
import { UNIT_LEVELS, type UnitLevel } from './case-model.ts';
import { catalogueUnits, type UnitEntry } from './catalogue-units.ts';

const unitRow = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  level: z.enum(UNIT_LEVELS as [UnitLevel, ...UnitLevel[]]),
  parent_id: z.string().nullable(),
});

const toEntry = (r: unknown): UnitEntry => {
  const u = unitRow.parse(r);
  return { id: u.id, name: u.name, level: u.level, parentId: u.parent_id };
};

/** What a sync changed. */
export interface UnitSync {
  /** Units the catalogue names now. */
  readonly units: number;
  /** Units removed because the catalogue no longer names them. */
  readonly removed: number;
}

/**
 * Makes the `units` table hold exactly the catalogue's units (catalogue-units.ts), in one
 * transaction: every unit upserted (name, level and parent brought up to date), then every other
 * row deleted. Safe to run from several processes at once (the last writer's catalogue wins).
 */
export async function syncUnits(db: Kysely<Database>, catalogue: readonly EventTypeDef[], now: number): Promise<UnitSync> {
  const units = catalogueUnits(catalogue);
  return db.transaction().execute(async (tx) => {
    // Serialises syncs: two processes reloading at once must not interleave upserts and deletes.
    await sql`select pg_advisory_xact_lock(hashtext('gridworker.units'))`.execute(tx);
    if (units.length) {
      // One statement: a unit's parent is in the same statement, and foreign keys are checked at its end.
      await tx
        .insertInto('units')
        .values(units.map((u) => ({ id: u.id, name: u.name, level: u.level, parent_id: u.parentId, created_at: now })))
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), level: eb.ref('excluded.level'), parent_id: eb.ref('excluded.parent_id') })),
        )
        .execute();
    }
    let del = tx.deleteFrom('units');
    if (units.length) del = del.where('id', 'not in', units.map((u) => u.id));
    const removed = await del.executeTakeFirst();
    return { units: units.length, removed: Number(removed.numDeletedRows) };
  });
}

/** Every unit, lowest level first, then by id. */
export async function listUnits(db: Kysely<Database>): Promise<UnitEntry[]> {
  const rows = await db.selectFrom('units').select(['id', 'name', 'level', 'parent_id']).execute();
  const rank = (l: UnitLevel): number => UNIT_LEVELS.indexOf(l);
  return rows.map(toEntry).sort((a, b) => rank(a.level) - rank(b.level) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The unit with this id, or null. */
export async function findUnit(db: Kysely<Database>, id: string): Promise<UnitEntry | null> {
  const row = await db.selectFrom('units').select(['id', 'name', 'level', 'parent_id']).where('id', '=', id).executeTakeFirst();
  return row ? toEntry(row) : null;
}
