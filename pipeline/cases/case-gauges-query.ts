import type { Kysely } from 'kysely';
import type { Database } from '../db/db-schema.ts';
import type { CaseGauges } from '../metrics/case-gauges.ts';

/**
 * The case gauges counted by the record itself (three aggregate queries, no case read one by
 * one): cases by status, active cases past their deadline, and the outbox rows not yet sent
 * with the time the oldest of them was written.
 */
export async function recordCaseGauges(db: Kysely<Database>, now: number): Promise<CaseGauges> {
  const statuses = await db.selectFrom('cases').select(['status', db.fn.countAll<string>().as('n')]).groupBy('status').execute();
  const overdue = await db
    .selectFrom('cases')
    .select(db.fn.countAll<string>().as('n'))
    .where('active', '=', true)
    .where('deadline_at', '<', now)
    .executeTakeFirstOrThrow();
  const outbox = await db
    .selectFrom('outbox')
    .select([db.fn.countAll<string>().as('n'), db.fn.min('created_at').as('oldest')])
    .where('sent_at', 'is', null)
    .executeTakeFirstOrThrow();
  const byStatus: Record<string, number> = {};
  for (const s of statuses) byStatus[s.status] = Number(s.n);
  const oldest = outbox.oldest === null || outbox.oldest === undefined ? null : Number(outbox.oldest);
  return { byStatus, overdue: Number(overdue.n), outboxBacklog: Number(outbox.n), oldestUnsentAt: oldest };
}
