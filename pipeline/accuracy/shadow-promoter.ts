import type { CaseRecord } from '../cases/case-model.ts';
import type { ModelPromotions } from './model-promotions.ts';
import { type ShadowCandidate, shadowStanding } from './shadow-standing.ts';

/**
 * Promotes every candidate not promoted yet whose verdict precision's 95 % Wilson lower bound
 * has reached its target (by "system", audited as model.promote). Returns the card ids promoted
 * by this call.
 */
export async function promoteReadyCandidates(candidates: readonly ShadowCandidate[], cases: readonly CaseRecord[], promotions: ModelPromotions, now: number): Promise<string[]> {
  await promotions.refresh();
  const done: string[] = [];
  for (const c of candidates) {
    if (promotions.get(c.model)) continue;
    const s = shadowStanding(c, cases, null);
    if (!s.ready) continue;
    const detail = { reason: 'precision target reached', precision: s.candidate.precision, ci95: s.candidate.ci95, verified: s.candidate.verified, target: c.precisionTarget };
    if (await promotions.promote(c.model, { actor: 'system' }, now, detail)) done.push(c.model);
  }
  return done;
}
