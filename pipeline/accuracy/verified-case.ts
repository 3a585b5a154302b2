import type { CaseRecord, Verdict } from '../cases/case-model.ts';

/** A case a grid worker has given a verdict on. */
export type VerifiedCase = CaseRecord & { readonly verdict: Verdict };

/** True when the case has a verdict (only those count for accuracy). */
export function isVerified(c: CaseRecord): c is VerifiedCase {
  return c.verdict !== undefined;
}

/**
 * True when the worker confirmed the AI's hit. Everything else is a false hit for the AI's type,
 * whatever the reason: a wrong event type, a duplicate or "not a violation" all mean the AI
 * raised something a worker had to throw away.
 */
export function isConfirmed(c: VerifiedCase): boolean {
  return c.verdict.verdict === 'confirmed';
}
