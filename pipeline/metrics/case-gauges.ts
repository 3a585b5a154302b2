/**
 * What the metrics read about cases and their dispatch, behind a small interface the case store
 * implements (or an adapter over its list, as here), so the metrics never depend on how cases are
 * stored and never change them.
 */
import type { CaseRecord, CaseStatus } from '../events/event-model.ts';

/** Case counts at one instant. */
export interface CaseGauges {
  /** Cases by status. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Cases still waiting for the field (not resolved or rejected) past their deadline. */
  readonly overdue: number;
  /** Cases not yet handed to the dispatch queue (the dispatch backlog). */
  readonly undelivered: number;
  /** When the oldest undelivered case was opened (epoch ms); null when none waits. */
  readonly oldestUndeliveredAt: number | null;
}

/** Anything that can count cases for the metrics (the case store implements it). */
export interface CaseGaugeSource {
  caseGauges(now: number): Promise<CaseGauges>;
}

/** Statuses after which a case no longer waits for anyone. */
const SETTLED: ReadonlySet<CaseStatus> = new Set<CaseStatus>(['resolved', 'rejected']);

/** Counts cases one by one (for stores without their own counting). */
export async function countCases(cases: AsyncIterable<CaseRecord> | Iterable<CaseRecord>, now: number): Promise<CaseGauges> {
  const byStatus: Record<string, number> = {};
  let overdue = 0;
  let undelivered = 0;
  let oldest: number | null = null;
  for await (const c of cases) {
    byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
    const settled = SETTLED.has(c.status);
    if (!settled && c.deadline < now) overdue++;
    if (!settled && c.dispatchedAt === undefined) {
      undelivered++;
      oldest = oldest === null ? c.openedAt : Math.min(oldest, c.openedAt);
    }
  }
  return { byStatus, overdue, undelivered, oldestUndeliveredAt: oldest };
}
