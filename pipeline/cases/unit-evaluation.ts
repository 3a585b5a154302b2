import type { Kysely } from 'kysely';
import type { Database } from '../db/db-schema.ts';

/**
 * Unit evaluation (全线上评价): per responsible unit, over the cases it received in a period
 * (opened in [from, to)), how it handled them. Rejected cases (false positives of the AI) do not
 * count against a unit. Pure over the rows; the query that fetches them is below.
 */
export interface UnitEvaluation {
  readonly unit: string;
  /** Cases received (opened in the period, not rejected). */
  readonly received: number;
  /** Marked handled (at least once) by their deadline. */
  readonly handledInTime: number;
  /** Marked handled at all. */
  readonly handled: number;
  /** Flagged overdue / received (0-1), null with nothing received. */
  readonly overdueRate: number | null;
  /** Median time from dispatch (or opening) to handled, ms; null when nothing was handled. */
  readonly medianHandlingMs: number | null;
  /** Re-checks that found the thing still there / re-checks done (0-1); null with no re-check. */
  readonly reopenRate: number | null;
  readonly reopened: number;
  readonly rechecked: number;
}

/** The columns evaluation reads. */
export interface EvaluationRow {
  readonly responsible_unit: string;
  readonly status: string;
  readonly opened_at: number;
  readonly dispatched_at: number | null;
  readonly handled_at: number | null;
  readonly first_handled_at: number | null;
  readonly deadline_at: number;
  readonly overdue_at: number | null;
  readonly reopen_count: number;
}

const median = (xs: number[]): number | null => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Evaluates every unit in the rows, units sorted by name. */
export function evaluateUnits(rows: readonly EvaluationRow[]): UnitEvaluation[] {
  const byUnit = new Map<string, EvaluationRow[]>();
  for (const r of rows) {
    if (r.status === 'rejected') continue;
    const list = byUnit.get(r.responsible_unit);
    if (list) list.push(r);
    else byUnit.set(r.responsible_unit, [r]);
  }
  return [...byUnit.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([unit, list]) => {
      const handled = list.filter((r) => r.first_handled_at !== null);
      const reopened = list.filter((r) => r.reopen_count > 0).length;
      const rechecked = list.filter((r) => r.reopen_count > 0 || (r.status === 'closed' && r.handled_at !== null)).length;
      return {
        unit,
        received: list.length,
        handled: handled.length,
        handledInTime: handled.filter((r) => r.first_handled_at! <= r.deadline_at).length,
        overdueRate: list.length ? list.filter((r) => r.overdue_at !== null).length / list.length : null,
        medianHandlingMs: median(handled.map((r) => r.first_handled_at! - (r.dispatched_at ?? r.opened_at))),
        reopenRate: rechecked ? reopened / rechecked : null,
        reopened,
        rechecked,
      };
    });
}

/** The evaluation rows of cases opened in [from, to): first handling time from the handling steps. */
export async function evaluationRows(db: Kysely<Database>, from: number, to: number): Promise<EvaluationRow[]> {
  return db
    .selectFrom('cases')
    .select(['cases.responsible_unit', 'cases.status', 'cases.opened_at', 'cases.dispatched_at', 'cases.handled_at', 'cases.deadline_at', 'cases.overdue_at', 'cases.reopen_count'])
    .select((eb) =>
      eb
        .selectFrom('handling_steps')
        .select((s) => s.fn.min<number>('handling_steps.at').as('m'))
        .whereRef('handling_steps.case_id', '=', 'cases.id')
        .where('handling_steps.step', '=', 'handled')
        .as('first_handled_at'),
    )
    .where('cases.opened_at', '>=', from)
    .where('cases.opened_at', '<', to)
    .execute() as Promise<EvaluationRow[]>;
}
