import type { TypeConfusion } from './accuracy-types.ts';
import type { VerifiedCase } from './verified-case.ts';

/**
 * AI type -> the type grid workers said it really was, counted over rejections that give a
 * `correctType` or have reason wrong_event_type (then `correctType` may be null). These cases are
 * already false hits for the AI's type; this table says what they were instead. Most frequent first.
 */
export function typeConfusion(cases: readonly VerifiedCase[]): TypeConfusion[] {
  const counts = new Map<string, TypeConfusion>();
  for (const c of cases) {
    const v = c.verdict;
    if (v.verdict !== 'rejected' || (v.reason !== 'wrong_event_type' && v.correctType === undefined)) continue;
    const correctType = v.correctType ?? null;
    const key = JSON.stringify([c.eventType, correctType]);
    const prev = counts.get(key);
    counts.set(key, { aiType: c.eventType, correctType, count: (prev?.count ?? 0) + 1 });
  }
  return [...counts.values()].sort(
    (a, b) => b.count - a.count || a.aiType.localeCompare(b.aiType) || (a.correctType ?? '').localeCompare(b.correctType ?? ''),
  );
}
