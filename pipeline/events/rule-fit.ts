import type { RuleDef } from './event-model.ts';

/** What decides which rules run on a camera: the camera config has this shape. */
export interface RuleCamera {
  readonly id: string;
  readonly areaType: string;
  readonly zones: readonly { readonly name: string; readonly kind?: string | undefined }[];
  /** Rule ids named for this camera; absent: every rule that fits (see RuleSet). */
  readonly rules?: readonly string[] | undefined;
}

/** Why `rule` is outside the camera's area type / camera restriction, or null when it is not. */
export function restrictionMisfit(rule: RuleDef, camera: Pick<RuleCamera, 'id' | 'areaType'>): string | null {
  if (rule.areaTypes !== undefined && !rule.areaTypes.includes(camera.areaType)) {
    return `rule ${rule.id} is restricted to area types ${rule.areaTypes.join(', ')} (camera is ${camera.areaType})`;
  }
  if (rule.cameraIds !== undefined && !rule.cameraIds.includes(camera.id)) {
    return `rule ${rule.id} is restricted to cameras ${rule.cameraIds.join(', ')}`;
  }
  return null;
}

/**
 * Why `rule` cannot run on `camera`, or null when it can: it is restricted to other area types or
 * cameras, or it watches zone kinds the camera has no zone of. Whole-frame rules (no zone kinds)
 * fit every camera they are not restricted from.
 */
export function ruleMisfit(rule: RuleDef, camera: RuleCamera): string | null {
  const restricted = restrictionMisfit(rule, camera);
  if (restricted !== null) return restricted;
  if (rule.zoneKinds.length > 0 && !camera.zones.some((z) => z.kind !== undefined && rule.zoneKinds.includes(z.kind))) {
    return `rule ${rule.id} needs a zone of kind ${rule.zoneKinds.join(' or ')} and the camera has none`;
  }
  return null;
}
