import type { Verdict } from '../cases/case-model.ts';

/**
 * What a verdict says about the *objects* the detector boxed, as opposed to the event. Grid
 * workers judge events; for detector data only the reason tells whether the boxes were real:
 * - `real`: confirmed; or rejected as not_a_violation (the car is there, parked legally) or as
 *   wrong_event_type (something is there, the rule named the wrong event): the boxes keep their
 *   detector labels, whatever the corrected event type is.
 * - `false`: rejected as false_detection: nothing of those classes is there (a hard negative).
 * - `duplicate`: real, but the same scene as another case already counted; left out so one scene
 *   does not weigh twice.
 * - `unknown`: a rejection without a reason.
 */
export type ObjectTruth = 'real' | 'false' | 'duplicate' | 'unknown';

/** The object-level reading of a verdict (see {@link ObjectTruth}). */
export function objectTruth(v: Verdict): ObjectTruth {
  if (v.verdict === 'confirmed') return 'real';
  switch (v.reason) {
    case 'not_a_violation':
    case 'wrong_event_type':
      return 'real';
    case 'false_detection':
      return 'false';
    case 'duplicate':
      return 'duplicate';
    default:
      return 'unknown';
  }
}

/**
 * The event type a verified case really was: the AI's when confirmed, the worker's correctType
 * when given, else null (no event of any type).
 */
export function correctedEventType(eventType: string, v: Verdict): string | null {
  if (v.verdict === 'confirmed') return eventType;
  return v.correctType ?? null;
}
