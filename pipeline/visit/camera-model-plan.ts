/**
 * Which models a camera's visit runs, by card id: the camera's own `detectors`, and the shadow
 * candidates whose camera group holds it. A candidate not promoted yet runs as shadow (its hits
 * are verified, never dispatched); a promoted one runs as active and the model it `replaces`
 * stops running on that camera. Pure: the promoted set is passed in.
 */

/** A shadow candidate as the plan sees it: card ids and its camera group test. */
export interface PlannedShadow {
  /** Card id of the candidate. */
  readonly model: string;
  /** Card id of the active model it would take over from, if any. */
  readonly replaces?: string;
  /** Whether the camera is in the candidate's group. */
  readonly covers: (camera: PlanCamera) => boolean;
}

/** What a camera group is drawn by. */
export interface PlanCamera {
  readonly id: string;
  readonly grid: string;
  readonly areaType: string;
}

/** The models of one camera's visit, card ids in order. */
export interface CameraModelPlan {
  readonly active: readonly string[];
  readonly shadow: readonly string[];
}

/** The models one camera runs, given its configured detectors (card ids), the candidates and those promoted. */
export function cameraModelPlan(camera: PlanCamera, detectors: readonly string[], shadows: readonly PlannedShadow[], promoted: ReadonlySet<string>): CameraModelPlan {
  const active = [...new Set(detectors)];
  const shadow: string[] = [];
  for (const s of shadows) {
    if (!s.covers(camera)) continue;
    if (promoted.has(s.model)) {
      if (s.replaces !== undefined) {
        const at = active.indexOf(s.replaces);
        if (at >= 0) active.splice(at, 1);
      }
      if (!active.includes(s.model)) active.push(s.model);
    } else if (!active.includes(s.model) && !shadow.includes(s.model)) {
      shadow.push(s.model);
    }
  }
  return { active, shadow };
}
