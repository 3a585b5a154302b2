import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { CaseIntake, IntakeResult } from '../cases/case-intake.ts';
import { writeEvidence } from '../cases/evidence.ts';
import { createLogger, type Logger } from '../log.ts';
import type { VisitAnalysis } from '../visit/camera-visitor.ts';
import { type CameraMemory, emptyCameraMemory, parseCameraMemory, trackKey } from './camera-memory.ts';
import type { RuleDef } from './event-model.ts';
import { type EngineCamera, evaluateVisit } from './rule-engine.ts';

/** Options for {@link EventStage}. */
export interface EventStageOptions {
  /** Redis for the per-camera rule memory (any worker may visit any camera). */
  readonly redis: Redis;
  readonly prefix: string;
  /** The camera as the rules see it, and the rules that apply to it (the config can be reloaded). */
  readonly camera: (id: string) => { readonly camera: EngineCamera; readonly rules: readonly RuleDef[] } | undefined;
  readonly intake: CaseIntake;
  /** Evidence folder (first-sighting frames are kept there too). */
  readonly evidenceDir: string;
}

/**
 * The stage after a visit: rules (with the camera's memory of where objects were), then cases and
 * dispatch for what they confirm. Runs inside the visit's camera lock, so the read-modify-write of
 * the camera's memory never races another visit of the same camera.
 *
 * For persistence rules it keeps the frame of the first sighting of each (rule, zone) for as long
 * as the rule remembers it, so a case shows the first and the latest sighting.
 */
export class EventStage extends EventEmitter<{ filed: [IntakeResult] }> {
  private readonly log: Logger = createLogger('events');

  constructor(private readonly options: EventStageOptions) {
    super();
  }

  private key(name: string): string {
    return `${this.options.prefix}:${name}`;
  }

  /** Runs the rules on one visit's detections and files every confirmed event. */
  async onVisit(a: VisitAnalysis, at: number): Promise<IntakeResult[]> {
    const found = this.options.camera(a.cameraId);
    if (!found || !a.model || a.detections.length === 0 || !a.latestJpeg) return [];
    const { camera, rules } = found;
    if (rules.length === 0) return [];
    const memory = await this.loadMemory(a.cameraId);
    const result = evaluateVisit({ camera, rules, frames: a.detections, model: a.model, at, memory });
    await this.rememberFirstSightings(a, memory, result.memory, rules, at);
    const filed: IntakeResult[] = [];
    for (const event of result.events) {
      const first = event.firstSeenAt < at ? await this.firstSighting(a.cameraId, event.ruleId, event.zone) : undefined;
      const r = await this.options.intake.file({ event, frameJpeg: a.latestJpeg, ...(first ? { first: { jpeg: first } } : {}) });
      filed.push(r);
      this.emit('filed', r);
    }
    await this.options.redis.hset(this.key('rule-memory'), a.cameraId, JSON.stringify(result.memory));
    if (filed.length) this.log.info({ camera: a.cameraId, events: result.events.map((e) => e.eventType) }, 'events confirmed');
    return filed;
  }

  private async loadMemory(cameraId: string): Promise<CameraMemory> {
    const raw = await this.options.redis.hget(this.key('rule-memory'), cameraId);
    if (!raw) return emptyCameraMemory();
    try {
      return parseCameraMemory(JSON.parse(raw));
    } catch (err) {
      // A memory written by another version: start afresh rather than stop the patrol.
      this.log.warn({ camera: cameraId, err: (err as Error).message }, 'rule memory unreadable: starting afresh');
      return emptyCameraMemory();
    }
  }

  /** Keeps this visit's frame for every (rule, zone) whose memory starts now. */
  private async rememberFirstSightings(a: VisitAnalysis, before: CameraMemory, after: CameraMemory, rules: readonly RuleDef[], at: number): Promise<void> {
    const known = new Set(before.tracks.map((t) => trackKey(t.ruleId, t.zone)));
    const fresh = new Set(after.tracks.filter((t) => t.firstSeenAt === at && !known.has(trackKey(t.ruleId, t.zone))).map((t) => trackKey(t.ruleId, t.zone)));
    if (fresh.size === 0 || !a.latestJpeg) return;
    const path = await writeEvidence(this.options.evidenceDir, a.latestJpeg, at);
    for (const k of fresh) {
      const rule = rules.find((r) => k.split('\u0000')[0] === r.id);
      const ttlS = rule && rule.persistence.kind === 'visits' ? Math.ceil(rule.persistence.maxGapS + rule.persistence.minDurationS) : 3600;
      await this.options.redis.set(this.key(`first-sighting:${a.cameraId}:${k}`), path, 'EX', ttlS, 'NX');
    }
  }

  private async firstSighting(cameraId: string, ruleId: string, zone: string | null): Promise<Buffer | undefined> {
    const path = await this.options.redis.get(this.key(`first-sighting:${cameraId}:${trackKey(ruleId, zone)}`));
    if (!path) return undefined;
    return readFile(join(this.options.evidenceDir, path)).catch(() => undefined);
  }
}
