import type { ThresholdAdvice } from './accuracy-types.ts';
import { groupBy } from './group-precision.ts';
import { proportion, wilsonInterval } from './precision.ts';
import { isConfirmed, type VerifiedCase } from './verified-case.ts';

/** Counts of the cases kept by one threshold. */
interface Cut {
  readonly threshold: number;
  readonly kept: number;
  readonly keptConfirmed: number;
}

/** Every distinct confidence as a threshold, highest first, with what "confidence >= it" keeps. */
function cuts(cases: readonly VerifiedCase[]): Cut[] {
  const sorted = [...cases].sort((a, b) => b.confidence - a.confidence);
  const out: Cut[] = [];
  let kept = 0;
  let keptConfirmed = 0;
  sorted.forEach((c, i) => {
    kept++;
    if (isConfirmed(c)) keptConfirmed++;
    // Close a cut only after the last case of a confidence value: ">= t" keeps all its ties.
    if (sorted[i + 1]?.confidence !== c.confidence) out.push({ threshold: c.confidence, kept, keptConfirmed });
  });
  return out;
}

/**
 * The lowest case-confidence threshold at which one event type's precision reaches `target`.
 * Thresholds scanned are the observed confidences (any value between two of them keeps the same
 * cases); the lowest one that reaches the target loses the fewest true hits. Precision is not
 * monotonic in the threshold, so a higher one can fall below the target again: the answer is
 * where raising the threshold could stop, not a guarantee for every value above it. The
 * threshold applies to the case confidence (best mean box score over its sightings), which the
 * rules' per-box `minScore` only approximates.
 */
export function thresholdForType(eventType: string, cases: readonly VerifiedCase[], target: number): ThresholdAdvice {
  const confirmed = cases.filter(isConfirmed).length;
  const base = { eventType, verified: cases.length, confirmed, precisionAll: proportion(confirmed, cases.length) };
  const all = cuts(cases);
  const reaching = all.filter((c) => c.keptConfirmed / c.kept >= target);
  const lowest = reaching[reaching.length - 1];
  if (!lowest || confirmed === 0) {
    const best = all.length ? all.reduce((m, c) => Math.max(m, c.keptConfirmed / c.kept), 0) : null;
    return { ...base, reachable: false, bestPrecision: best };
  }
  const lostConfirmed = confirmed - lowest.keptConfirmed;
  return {
    ...base,
    reachable: true,
    threshold: lowest.threshold,
    precision: lowest.keptConfirmed / lowest.kept,
    ci95: wilsonInterval(lowest.keptConfirmed, lowest.kept)!,
    keptVerified: lowest.kept,
    keptConfirmed: lowest.keptConfirmed,
    lostConfirmed,
    lostShare: lostConfirmed / confirmed,
  };
}

/** Threshold advice per event type, most verified first. */
export function thresholdsByType(cases: readonly VerifiedCase[], target: number): ThresholdAdvice[] {
  return [...groupBy(cases, (c) => c.eventType)]
    .map(([type, list]) => thresholdForType(type, list, target))
    .sort((a, b) => b.verified - a.verified || a.eventType.localeCompare(b.eventType));
}
