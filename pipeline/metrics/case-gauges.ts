/**
 * What the metrics read about cases and their dispatch, behind a small interface the case store
 * implements (with SQL counts on the record), so the metrics never depend on how cases are
 * stored and never change them.
 */

/** Case counts at one instant. */
export interface CaseGauges {
  /** Cases by status. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Active cases (not closed or rejected) past their deadline. */
  readonly overdue: number;
  /** Outbox rows not yet sent to the dispatch queue (the dispatch backlog). */
  readonly outboxBacklog: number;
  /** When the oldest unsent outbox row was written (epoch ms); null when none waits. */
  readonly oldestUnsentAt: number | null;
}

/** Anything that can count cases for the metrics (the case store implements it). */
export interface CaseGaugeSource {
  caseGauges(now: number): Promise<CaseGauges>;
}
