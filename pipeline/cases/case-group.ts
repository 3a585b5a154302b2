import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/db-schema.ts';
import type { ConfirmedEvent } from '../events/event-model.ts';
import { selectCases } from './case-list.ts';
import type { CaseRecord } from './case-model.ts';
import { rowToCase } from './case-row.ts';
import type { GroupGuard } from './case-write.ts';

/** A group's cases (active, or closed within the cooldown) and its open count, read in one statement. */
export interface CaseGroup {
  readonly cases: CaseRecord[];
  /** What an open decided on these cases is guarded by (writeOpen). */
  readonly guard: GroupGuard;
}

/** The group read: each case is then checked by rowToCase. */
const groupRowSchema = z.object({ opened: z.number().int().nonnegative(), cases: z.array(z.unknown()) });

/**
 * The cases a confirmed event is decided against: active cases of its camera and type, and those
 * closed within the cooldown, with the group's open count (case_groups), in one statement: one
 * snapshot, so the count guards the decision made on exactly these cases. The cases come as one
 * JSON array, so the count is read even when there are none.
 */
export async function readGroup(db: Kysely<Database>, event: ConfirmedEvent, cooldownMs: number): Promise<CaseGroup> {
  // A shadow candidate's hits and the active models' never merge: each is measured on its own.
  const shadow = event.shadow === true;
  const cases = selectCases(db)
    .where('cases.camera_id', '=', event.cameraId)
    .where('cases.event_type', '=', event.eventType)
    .where('cases.shadow', '=', shadow)
    .where((eb) => eb.or([eb('cases.active', '=', true), eb('cases.closed_at', '>=', event.at - cooldownMs)]));
  const r = await sql<{ opened: unknown; cases: unknown }>`
    select coalesce((select opened from case_groups where camera_id = ${event.cameraId} and event_type = ${event.eventType} and shadow = ${shadow}), 0) as opened,
      coalesce((select json_agg(c order by c.id) from (${cases}) c), '[]') as cases`.execute(db);
  const row = groupRowSchema.parse(r.rows[0]);
  return { cases: row.cases.map(rowToCase), guard: { cameraId: event.cameraId, eventType: event.eventType, shadow, opened: row.opened } };
}
