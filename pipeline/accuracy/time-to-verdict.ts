import { quantile } from '../stats.ts';
import type { DurationSummary, EventTypeDurations } from './accuracy-types.ts';
import { groupBy } from './group-precision.ts';
import type { VerifiedCase } from './verified-case.ts';

/**
 * How long a case waited for its verdict, ms: from dispatch to the grid workers when it was
 * dispatched, else from opening. Clamped at 0 (a verdict stamped before dispatch is clock skew
 * between machines, not negative work).
 */
export function timeToVerdictMs(c: VerifiedCase): number {
  return Math.max(0, c.verdict.at - (c.dispatchedAt ?? c.openedAt));
}

/** Median, 90th percentile (linear interpolation) and maximum of durations in ms. */
export function summarizeDurations(ms: readonly number[]): DurationSummary {
  if (!ms.length) return { count: 0, medianMs: null, p90Ms: null, maxMs: null };
  return { count: ms.length, medianMs: quantile(ms, 0.5), p90Ms: quantile(ms, 0.9), maxMs: ms.reduce((m, x) => Math.max(m, x), 0) };
}

/** Time to verdict over all verified cases and per event type (most verified first). */
export function timeToVerdict(cases: readonly VerifiedCase[]): { overall: DurationSummary; byEventType: EventTypeDurations[] } {
  return {
    overall: summarizeDurations(cases.map(timeToVerdictMs)),
    byEventType: [...groupBy(cases, (c) => c.eventType)]
      .map(([eventType, list]) => ({ eventType, ...summarizeDurations(list.map(timeToVerdictMs)) }))
      .sort((a, b) => b.count - a.count || a.eventType.localeCompare(b.eventType)),
  };
}
