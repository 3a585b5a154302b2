import type { Priority, SchedulerCamera } from './types.ts';

/** What the scheduler remembers about one camera. Times are ms on the caller's clock. */
export interface CameraState {
  /** Position in the scheduler's camera array (and item number in its heaps). */
  readonly index: number;
  readonly id: string;
  readonly priority: Priority;
  readonly areaType: string;
  readonly enabled: boolean;
  /** 0-1 from a hash of the id: spreads first visits of never-visited cameras over their target. */
  readonly spread: number;
  /** When the camera joined the scheduler; anchors its first deadline. */
  addedAt: number;
  /** Current effective revisit target, ms (priority/area target, or an active window's). */
  targetMs: number;
  /** Start of the last successful visit, or null. */
  lastVisit: number | null;
  /** Start of the last visit, successful or not, or null. Deadlines count from here. */
  lastAttempt: number | null;
  /** Start of the visit under way, or null when not in flight. */
  inFlightSince: number | null;
  /** Not to be visited before this instant (quarantine / backoff); -Infinity when not held. */
  heldUntil: number;
}

/** FNV-1a of the id mapped to [0, 1). */
export function spreadOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 2 ** 32;
}

/** A fresh state for a camera that joins at `now`. */
export function newCameraState(camera: SchedulerCamera, index: number, now: number): CameraState {
  return {
    index,
    id: camera.id,
    priority: camera.priority,
    areaType: camera.areaType,
    enabled: camera.enabled ?? true,
    spread: spreadOf(camera.id),
    addedAt: now,
    targetMs: 0,
    lastVisit: null,
    lastAttempt: null,
    inFlightSince: null,
    heldUntil: Number.NEGATIVE_INFINITY,
  };
}

/**
 * When the camera is due: one target after its last attempt; a camera never tried is due at a
 * point within one target of joining, fixed by its id, so ten thousand new cameras do not all tie.
 */
export function deadlineOf(c: CameraState): number {
  return c.lastAttempt === null ? c.addedAt + c.spread * c.targetMs : c.lastAttempt + c.targetMs;
}

/**
 * When the camera becomes due: `leadFraction` of its target before its deadline, a margin so that
 * waiting for a free slot does not push the interval past the target.
 */
export function dueAt(c: CameraState, leadFraction: number): number {
  return deadlineOf(c) - leadFraction * c.targetMs;
}

/** When the camera counts as starving: `starvationFactor` targets after its last attempt. */
export function starvesAt(c: CameraState, starvationFactor: number): number {
  return deadlineOf(c) + (starvationFactor - 1) * c.targetMs;
}
