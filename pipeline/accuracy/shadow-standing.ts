/**
 * Shadow mode's measure: a candidate model's verdict precision against the active model's, on
 * the same cameras (the candidate's camera group). The candidate is ready for promotion when the
 * 95 % Wilson lower bound of its precision reaches its target; the active side is the yardstick.
 * Pure: cases, the group's cameras and the promotion state are passed in.
 */
import type { CaseRecord } from '../cases/case-model.ts';
import type { GroupPrecision } from './accuracy-types.ts';
import { groupPrecision } from './group-precision.ts';
import { isVerified } from './verified-case.ts';

/** A candidate as the comparison needs it. */
export interface ShadowCandidate {
  /** Card id of the candidate. */
  readonly model: string;
  /** Card id of the active model it is measured against; absent: every active model on its cameras. */
  readonly replaces?: string;
  /** Camera ids of its group (as configured now). */
  readonly cameras: readonly string[];
  /** Precision target of the Wilson lower bound, 0-1. */
  readonly precisionTarget: number;
}

/** A promotion once made. */
export interface PromotionRecord {
  readonly model: string;
  readonly at: number;
  readonly by: string;
}

/** Where a candidate stands. */
export interface ShadowStanding {
  readonly model: string;
  readonly replaces: string | null;
  readonly cameras: readonly string[];
  readonly precisionTarget: number;
  /** Its shadow cases on those cameras: how many, and the precision of those with a verdict. */
  readonly candidate: { readonly cases: number } & GroupPrecision;
  /** The active model's (non-shadow) cases on the same cameras. */
  readonly active: { readonly cases: number } & GroupPrecision;
  /** The candidate's precision lower bound reaches the target. */
  readonly ready: boolean;
  readonly promoted: PromotionRecord | null;
}

/** True when a case's "id@version" (or "a@1+b@1") names the card id. */
export const modelNamed = (caseModel: string, id: string): boolean => caseModel.split('+').some((m) => m.split('@')[0] === id);

/** The standing of one candidate over the cases. */
export function shadowStanding(candidate: ShadowCandidate, cases: readonly CaseRecord[], promoted: PromotionRecord | null): ShadowStanding {
  const cameras = new Set(candidate.cameras);
  const here = cases.filter((c) => cameras.has(c.cameraId));
  const mine = here.filter((c) => c.shadow === true && modelNamed(c.model, candidate.model));
  const theirs = here.filter((c) => c.shadow !== true && (candidate.replaces === undefined || modelNamed(c.model, candidate.replaces)));
  const side = (key: string, list: readonly CaseRecord[]) => ({ cases: list.length, ...groupPrecision(key, list.filter(isVerified), candidate.precisionTarget) });
  const cand = side(candidate.model, mine);
  return {
    model: candidate.model,
    replaces: candidate.replaces ?? null,
    cameras: candidate.cameras,
    precisionTarget: candidate.precisionTarget,
    candidate: cand,
    active: side(candidate.replaces ?? 'active', theirs),
    ready: cand.confidentlyAboveTarget,
    promoted,
  };
}
