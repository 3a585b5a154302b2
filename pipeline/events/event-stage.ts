import { EventEmitter } from 'node:events';
import { createLogger, type Logger } from '../log.ts';
import type { VisitAnalysis } from '../visit/camera-visitor.ts';
import { type CameraMemory, emptyCameraMemory, trackKey } from './camera-memory.ts';
import type { CameraMemoryStore, StoredCameraMemory } from './camera-memory-store.ts';
import type { ConfirmedEventSink, FrameKeeper } from './event-sink.ts';
import type { ConfirmedEvent, NormBox, RuleDef } from './event-model.ts';
import { type EngineCamera, evaluateVisit } from './rule-engine.ts';

/** Options for {@link EventStage}. */
export interface EventStageOptions<R> {
  /** Per-camera rule memory (any worker may visit any camera; it survives restarts). */
  readonly memory: CameraMemoryStore;
  /**
   * The camera as the rules see it, the rules its active models serve, and those a shadow
   * candidate ("id@version") serves (default: the same rules). The config can be reloaded.
   */
  readonly camera: (id: string) => { readonly camera: EngineCamera; readonly rules: readonly RuleDef[]; readonly shadowRules?: (model: string) => readonly RuleDef[] } | undefined;
  /** Where confirmed events go (cases' intake, wired by main). */
  readonly sink: ConfirmedEventSink<R>;
  /** Keeps first-sighting frames. */
  readonly frames: FrameKeeper;
  /** Told what each judged visit saw, after its events were filed (the cases' re-check listens). */
  readonly onJudged?: (judged: VisitJudgement) => Promise<void>;
  /**
   * When a camera's memory is read and written back: `changed` (default) read only when a rule
   * of the visit is a 'visits' rule (a 'frames' rule remembers nothing) and written only when the
   * visit changed it, so a repeat sighting of a 'frames' rule costs no memory round trip;
   * `every-visit` read and written on every visit (the behaviour before; the events benchmark's
   * baseline).
   */
  readonly memoryWrites?: 'changed' | 'every-visit';
}

/** What the rules saw on one visit: the events they confirmed and every object seen on it. */
export interface VisitJudgement {
  readonly cameraId: string;
  readonly at: number;
  readonly events: readonly ConfirmedEvent[];
  /** Objects a persistence rule saw on this visit (confirmed or not yet), with the rule and zone. */
  readonly seen: readonly { readonly ruleId: string; readonly zone: string | null; readonly box: NormBox }[];
  /** The visit's latest frame (JPEG). */
  readonly frameJpeg: Buffer;
}

/**
 * Where a shadow candidate's rule memory of a camera is kept: apart from the active models' (a
 * "#" never appears in a camera id), so its tracks neither feed nor steal the active ones.
 */
export const shadowMemoryKey = (cameraId: string, model: string): string => `${cameraId}#shadow:${model}`;

/**
 * The stage after a visit: rules (with the camera's memory of where objects were), then hands
 * what they confirm to the sink. Runs inside the visit's camera lock, so the read-modify-write of
 * the camera's memory never races another visit of the same camera.
 *
 * For persistence rules it keeps the frame of the first sighting of each (rule, zone) for as long
 * as the rule remembers it, so a case shows the first and the latest sighting.
 */
export class EventStage<R> extends EventEmitter<{ filed: [R] }> {
  private readonly log: Logger = createLogger('events');

  constructor(private readonly options: EventStageOptions<R>) {
    super();
  }

  /**
   * Runs the rules on one visit's detections and files every confirmed event; then, apart, on
   * each shadow candidate's detections (its own memory; its events marked shadow).
   */
  async onVisit(a: VisitAnalysis, at: number): Promise<R[]> {
    const found = this.options.camera(a.cameraId);
    const jpeg = a.latestJpeg;
    if (!found || !jpeg) return [];
    const visit = { ...a, latestJpeg: jpeg };
    const filed: R[] = [];
    if (a.model && a.detections.length > 0 && found.rules.length > 0) {
      const judged = await this.judge(visit, found.camera, found.rules, { key: a.cameraId, frames: a.detections, model: a.model }, at, filed);
      await this.options.onJudged?.(judged);
    }
    for (const s of a.shadow ?? []) {
      const rules = found.shadowRules?.(s.model) ?? found.rules;
      if (s.detections.length === 0 || rules.length === 0) continue;
      await this.judge(visit, found.camera, rules, { key: shadowMemoryKey(a.cameraId, s.model), frames: s.detections, model: s.model, shadow: true }, at, filed);
    }
    return filed;
  }

  /** One model's (or the active models') detections through the rules, with the memory under `key`; files what they confirm into `filed`. */
  private async judge(
    a: VisitAnalysis & { readonly latestJpeg: Buffer },
    camera: EngineCamera,
    rules: readonly RuleDef[],
    source: { readonly key: string; readonly frames: VisitAnalysis['detections']; readonly model: string; readonly shadow?: boolean },
    at: number,
    filed: R[],
  ): Promise<VisitJudgement> {
    // Only 'visits' rules read or grow the memory: a visit judged by 'frames' rules alone neither
    // loads nor writes it (tracks other rules left there stay as they are, each until its expiry).
    const remembers = this.options.memoryWrites === 'every-visit' || rules.some((r) => r.persistence.kind !== 'frames');
    const stored = remembers ? await this.options.memory.load(source.key) : { memory: emptyCameraMemory(), firstSightings: {} };
    const result = evaluateVisit({ camera, rules, frames: source.frames, model: source.model, at, memory: stored.memory });
    const events = source.shadow ? result.events.map((e) => ({ ...e, shadow: true })) : result.events;
    const firstSightings = await this.rememberFirstSightings(a, stored, result.memory, rules, at);
    for (const event of events) {
      const firstPath = event.firstSeenAt < at ? firstSightings[trackKey(event.ruleId, event.zone)]?.path : undefined;
      // Read only if the sink asks (a case opens): a repeat sighting needs no first frame.
      const readFirst = firstPath ? () => this.options.frames.read(firstPath) : undefined;
      const r = await this.options.sink.file({ event, frameJpeg: a.latestJpeg, ...(readFirst ? { readFirst } : {}) });
      filed.push(r);
      this.emit('filed', r);
    }
    const next: StoredCameraMemory = { memory: result.memory, firstSightings };
    if (this.options.memoryWrites === 'every-visit' || (remembers && memoryChanged(stored, next, at))) await this.options.memory.save(source.key, next, at);
    if (events.length) this.log.info({ camera: a.cameraId, events: events.map((e) => e.eventType), ...(source.shadow ? { shadow: source.model } : {}) }, 'events confirmed');
    const seen = result.memory.tracks.filter((t) => t.lastSeenAt === at).map((t) => ({ ruleId: t.ruleId, zone: t.zone, box: t.box }));
    return { cameraId: a.cameraId, at, events, seen, frameJpeg: a.latestJpeg };
  }

  /** Keeps this visit's frame for every (rule, zone) whose memory starts now. */
  private async rememberFirstSightings(a: VisitAnalysis, before: StoredCameraMemory, after: CameraMemory, rules: readonly RuleDef[], at: number): Promise<StoredCameraMemory['firstSightings']> {
    const out = { ...before.firstSightings };
    const known = new Set(before.memory.tracks.map((t) => trackKey(t.ruleId, t.zone)));
    const fresh = new Set(after.tracks.filter((t) => t.firstSeenAt === at && !known.has(trackKey(t.ruleId, t.zone))).map((t) => trackKey(t.ruleId, t.zone)));
    if (fresh.size === 0 || !a.latestJpeg) return out;
    const path = await this.options.frames.keep(a.latestJpeg, at);
    for (const k of fresh) {
      if (out[k] && out[k].until > at) continue;
      const rule = rules.find((r) => k.split('\u0000')[0] === r.id);
      const ttlS = rule && rule.persistence.kind === 'visits' ? Math.ceil(rule.persistence.maxGapS + rule.persistence.minDurationS) : 3600;
      out[k] = { path, until: at + ttlS * 1000 };
    }
    return out;
  }
}

/**
 * Whether a visit changed what the store holds for a camera: its tracks, or its first-sighting
 * frames (one added, or one past its time that a save would drop).
 */
export function memoryChanged(before: StoredCameraMemory, after: StoredCameraMemory, at: number): boolean {
  if (Object.values(after.firstSightings).some((f) => f.until <= at)) return true;
  return JSON.stringify(before.memory) !== JSON.stringify(after.memory) || JSON.stringify(before.firstSightings) !== JSON.stringify(after.firstSightings);
}
