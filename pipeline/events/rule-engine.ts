/**
 * The rule engine: one visit's detections plus the camera's memory in, confirmed events and the
 * new memory out. Pure: time comes in as `at`, memory in and out as plain JSON, nothing is kept
 * between calls. It does not deduplicate against open cases (the case store does, by place), but
 * raises at most one event per rule per zone per visit.
 */
import type { FrameDetections } from '../visit/camera-visitor.ts';
import { type CameraMemory, type TrackedObject, trackKey } from './camera-memory.ts';
import { buildConfirmedEvent } from './confirmed-event.ts';
import type { ConfirmedEvent, RuleDef } from './event-model.ts';
import { judgeFrames } from './frames-persistence.ts';
import { restrictionMisfit } from './rule-fit.ts';
import { judgeVisits } from './visits-persistence.ts';
import { type RuleZone, zonesForKinds } from './zones.ts';

/** The camera as the engine needs it (a validated camera config fits). */
export interface EngineCamera {
  readonly id: string;
  readonly areaType: string;
  readonly zones: readonly RuleZone[];
}

/** One visit to judge. */
export interface VisitInput {
  readonly camera: EngineCamera;
  /** The rules that apply to the camera (RuleSet.forCamera); rules restricted to other area types or cameras are skipped. */
  readonly rules: readonly RuleDef[];
  /** Detections per frame of the visit, in frame order, boxes 0-1. */
  readonly frames: readonly FrameDetections[];
  /** Model that produced them, "id@version". */
  readonly model: string;
  /** Epoch ms of the visit. */
  readonly at: number;
  /** The camera's memory after its previous visit (emptyCameraMemory() for the first). */
  readonly memory: CameraMemory;
}

/** What a visit produced. */
export interface VisitResult {
  /** At most one per rule per zone, in rule then zone order. */
  readonly events: ConfirmedEvent[];
  /** The camera's memory to keep for the next visit. */
  readonly memory: CameraMemory;
}

function groupTracks(tracks: readonly TrackedObject[]): Map<string, TrackedObject[]> {
  const groups = new Map<string, TrackedObject[]>();
  for (const t of tracks) {
    const key = trackKey(t.ruleId, t.zone);
    const list = groups.get(key);
    if (list) list.push(t);
    else groups.set(key, [t]);
  }
  return groups;
}

/**
 * Judges one visit. 'frames' rules count frames where the condition holds among the visit's last
 * n; 'visits' rules match the visit's objects to the camera's memory. Tracks of rules or zones not
 * judged this time (another detector's rules, a removed zone) are kept until their `expiresAt`.
 */
export function evaluateVisit(input: VisitInput): VisitResult {
  const { camera, frames, model, at } = input;
  const remembered = groupTracks(input.memory.tracks);
  const judged = new Map<string, readonly TrackedObject[]>();
  const events: ConfirmedEvent[] = [];
  for (const rule of input.rules) {
    if (restrictionMisfit(rule, camera) !== null) continue;
    for (const zone of zonesForKinds(camera.zones, rule.zoneKinds)) {
      const base = { rule, cameraId: camera.id, zone: zone?.name ?? null, at, model };
      const p = rule.persistence;
      if (p.kind === 'frames') {
        const hit = judgeFrames(frames, rule, zone, p);
        if (hit) events.push(buildConfirmedEvent({ ...base, firstSeenAt: at, boxes: hit.boxes, frameIndex: hit.frameIndex }));
        continue;
      }
      const key = trackKey(rule.id, base.zone);
      const outcome = judgeVisits({ frames, rule, persistence: p, zone, at, tracks: remembered.get(key) ?? [] });
      judged.set(key, outcome.tracks);
      const c = outcome.confirmed;
      if (c) {
        const frameIndex = Math.max(...c.sightings.map((s) => s.frameIndex));
        events.push(buildConfirmedEvent({ ...base, firstSeenAt: c.firstSeenAt, boxes: c.sightings, frameIndex }));
      }
    }
  }
  const kept = [...remembered].filter(([key]) => !judged.has(key)).flatMap(([, tracks]) => tracks.filter((t) => t.expiresAt >= at));
  return { events, memory: { version: 1, tracks: [...[...judged.values()].flat(), ...kept] } };
}
