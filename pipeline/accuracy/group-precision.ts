import type { GroupPrecision, RejectBucket } from './accuracy-types.ts';
import { proportion, wilsonInterval } from './precision.ts';
import { isConfirmed, type VerifiedCase } from './verified-case.ts';

/** Precision of a set of verified cases, judged against `target` (0-1). */
export function groupPrecision(key: string, cases: readonly VerifiedCase[], target: number): GroupPrecision {
  const confirmed = cases.filter(isConfirmed).length;
  const rejectedBy: Partial<Record<RejectBucket, number>> = {};
  for (const c of cases) {
    if (isConfirmed(c)) continue;
    const bucket: RejectBucket = c.verdict.reason ?? 'unspecified';
    rejectedBy[bucket] = (rejectedBy[bucket] ?? 0) + 1;
  }
  const precision = proportion(confirmed, cases.length);
  const ci95 = wilsonInterval(confirmed, cases.length);
  return {
    key,
    verified: cases.length,
    confirmed,
    rejected: cases.length - confirmed,
    precision,
    ci95,
    meetsTarget: precision !== null && precision >= target,
    confidentlyAboveTarget: ci95 !== null && ci95.lo >= target,
    rejectedBy,
  };
}

/** Splits items by a key, keeping first-seen order of the keys. */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** Precision per group, most verified first (ties by key). */
export function precisionBy(cases: readonly VerifiedCase[], keyOf: (c: VerifiedCase) => string, target: number): GroupPrecision[] {
  return [...groupBy(cases, keyOf)]
    .map(([key, list]) => groupPrecision(key, list, target))
    .sort((a, b) => b.verified - a.verified || a.key.localeCompare(b.key));
}
