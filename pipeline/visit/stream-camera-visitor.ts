import type { FrameDetector } from '../../models/frame-detector.ts';
import type { RgbFrame } from '../../models/preprocess/frame.ts';
import { CameraHealth, type HealthPolicy, type StoredHealthSnapshot } from '../../streams/camera-health.ts';
import type { CameraSource } from '../../streams/camera-source.ts';
import { CameraError, StreamEndedError } from '../../streams/errors.ts';
import { visitCamera } from '../../streams/visit.ts';
import type { VisitPlan } from '../../streams/visit-plan.ts';
import { EventEmitter } from 'node:events';
import { ModelError } from '../../models/errors.ts';
import type { CameraVisitor, FrameAnalysed, FrameDetections, ShadowDetections, VisitAnalysis, VisitHooks } from './camera-visitor.ts';

/** Where camera health lives between visits (Redis in a deployment: any worker may visit any camera). */
export interface HealthStore {
  /** The stored snapshot, already parsed (null when none or unreadable). */
  getHealth(cameraId: string): Promise<StoredHealthSnapshot | null>;
  setHealth(cameraId: string, health: unknown): Promise<void>;
}

/** Options for {@link StreamCameraVisitor}. */
export interface StreamVisitorOptions {
  /** Current cameras by id (a function: the config can be reloaded). */
  readonly cameras: () => ReadonlyMap<string, CameraSource>;
  /**
   * The detector: a `DetectorPool` runs frames in detector processes, several at once (the event
   * loop stays free); a `Detector` runs them on this thread, one at a time. Required without `models`.
   */
  readonly detector?: FrameDetector;
  /**
   * The models of one camera's visit (several allowed, each run on every frame; shadow ones kept
   * apart). Default: `detector` alone, for every camera. A ModelError thrown (or rejected) here
   * fails the visit with its code before the stream is opened; the camera's health is left as it is.
   */
  readonly models?: (cameraId: string) => CameraDetectors | Promise<CameraDetectors>;
  /** Frames, spacing, timeouts; the frame size is derived from the models' cards. */
  readonly plan: Omit<VisitPlan, 'outWidth' | 'outHeight' | 'evidence'>;
  readonly health: HealthStore;
  readonly healthPolicy?: Partial<HealthPolicy>;
  /**
   * Where frames are scaled to the model's input: `ffmpeg` (the `scale` filter, only model-sized
   * frames cross the pipe) or `js` (ffmpeg sends source-sized frames, preprocessing resamples).
   * Default `ffmpeg`, measured (scripts/bench/worker-throughput.ts, 1920x1080 H.264 cameras, same
   * run): 66 visits/min and 0.255 + 0.110 CPU s per visit (ffmpeg + worker) against 42 visits/min
   * and 0.292 + 0.268 scaling in JS: a 6 MB frame per picture through the pipe and the IPC to the
   * detector costs more than swscale's bilinear scale inside ffmpeg.
   */
  readonly scaleIn?: 'ffmpeg' | 'js';
  /** Who forks ffmpeg (see VisitOptions.spawnFrom). Default `spawner`. */
  readonly spawnFrom?: 'spawner' | 'self';
  /** Niceness added to ffmpeg (see VisitOptions.nice). Default 0. */
  readonly ffmpegNice?: number;
}

/** The detectors of one camera's visit. */
export interface CameraDetectors {
  /** Their detections go to the rules together. At least one. */
  readonly active: readonly FrameDetector[];
  /** Candidates in shadow: their detections are kept apart, per model. */
  readonly shadow: readonly FrameDetector[];
  /**
   * Called once when the visit is done with them (its frames analysed, or it failed): a model a
   * config reload dropped meanwhile is released only after the visits holding it call this.
   */
  readonly release?: () => void;
}

const round4 = (v: number): number => Math.round(v * 10_000) / 10_000;
const modelId = (d: FrameDetector): string => `${d.card.id}@${d.card.version}`;
const sameInput = (a: FrameDetector, b: FrameDetector): boolean =>
  a.card.input.width === b.card.input.width && a.card.input.height === b.card.input.height && a.card.input.resize === b.card.input.resize;

/**
 * Visits cameras over RTSP (streams/visit) and analyses the frames with one detector. The
 * stream is closed (and `hooks.streamClosed` called) before the frames are analysed, so the
 * camera is free again while its frames are still in inference. With a main-thread `Detector`
 * inference is serialised per process; a `DetectorPool` takes every frame at once and runs them
 * in its processes.
 */
export class StreamCameraVisitor extends EventEmitter<{ frame: [FrameAnalysed] }> implements CameraVisitor {
  private inference: Promise<unknown> = Promise.resolve();
  private stopping = false;

  constructor(private readonly options: StreamVisitorOptions) {
    super();
    if (!options.detector && !options.models) throw new RangeError('StreamCameraVisitor: give a detector or models');
  }

  private async detectorsOf(cameraId: string): Promise<CameraDetectors> {
    if (this.options.models) return this.options.models(cameraId);
    return { active: [this.options.detector!], shadow: [] };
  }

  /**
   * The visit's frame size. A stretch model wants exactly its input size: ffmpeg scales and
   * preprocessing is 1:1. Letterbox models keep the aspect ratio: ffmpeg scales to the input
   * width, JS pads. Models with different inputs on one camera get source-sized frames, each
   * model's preprocessing resamples.
   */
  private planFor(models: readonly FrameDetector[]): VisitPlan {
    const first = models[0] ?? this.options.detector;
    if (!first) throw new RangeError('a visit needs a model');
    const inJs = this.options.scaleIn === 'js' || models.some((m) => !sameInput(m, first));
    const { input } = first.card;
    const stretch = input.resize === 'stretch';
    return { ...this.options.plan, outWidth: inJs ? 0 : input.width, outHeight: inJs || !stretch ? 0 : input.height, evidence: true };
  }

  /**
   * Marks the process as shutting down. A Ctrl-C in a terminal reaches ffmpeg too (same process
   * group), so visits in flight end early: that is not the camera's fault and is not held against it.
   */
  beginShutdown(): void {
    this.stopping = true;
  }

  async visit(cameraId: string, hooks: VisitHooks = {}): Promise<VisitAnalysis> {
    const source = this.options.cameras().get(cameraId);
    const stored = await this.options.health.getHealth(cameraId);
    const health = CameraHealth.restore(cameraId, stored, this.options.healthPolicy);
    if (!source) {
      return { cameraId, ok: false, errorCode: 'UNKNOWN_CAMERA', error: `camera ${cameraId} is not in the configuration`, frames: 0, detections: [], health: { state: health.current }, eligibleAt: 0 };
    }
    let models: CameraDetectors;
    try {
      models = await this.detectorsOf(cameraId);
    } catch (err) {
      // The camera is not at fault: its health stays as it is, the visit fails with the model's reason.
      if (!(err instanceof ModelError)) throw err;
      return { cameraId, ok: false, errorCode: err.code, error: err.message, frames: 0, detections: [], health: { state: health.current }, eligibleAt: 0 };
    }
    try {
      return await this.visitWith(cameraId, source, health, models, hooks);
    } finally {
      models.release?.();
    }
  }

  /** The visit itself, while it holds its models (released by the caller whatever happens). */
  private async visitWith(cameraId: string, source: CameraSource, health: CameraHealth, models: CameraDetectors, hooks: VisitHooks): Promise<VisitAnalysis> {
    const model = models.active.map(modelId).join('+');
    try {
      const r = await visitCamera(source, this.planFor([...models.active, ...models.shadow]), undefined, {
        ...(this.options.spawnFrom ? { spawnFrom: this.options.spawnFrom } : {}),
        ...(this.options.ffmpegNice ? { nice: this.options.ffmpegNice } : {}),
      });
      health.recordSuccess(Date.now());
      await this.options.health.setHealth(cameraId, health.snapshot());
      await hooks.streamClosed?.();
      const { detections, shadow } = await this.analyse(r.frames, models);
      return {
        cameraId,
        ok: true,
        frames: r.frames.length,
        sourceWidth: r.sourceWidth || r.evidence?.width || 0,
        sourceHeight: r.sourceHeight || r.evidence?.height || 0,
        firstFrameMs: Math.round(r.timings.firstFrameMs),
        model,
        detections,
        ...(shadow.length ? { shadow } : {}),
        ...(r.evidence ? { latestJpeg: r.evidence.jpeg } : {}),
        health: { state: health.current },
        eligibleAt: 0,
      };
    } catch (err) {
      if (!(err instanceof CameraError)) throw err;
      if (this.stopping) {
        return { cameraId, ok: false, errorCode: 'VISIT_ABORTED', error: `visit of camera ${cameraId} interrupted by shutdown`, frames: 0, detections: [], health: { state: health.current }, eligibleAt: 0 };
      }
      const now = Date.now();
      health.recordFailure(err, now);
      await this.options.health.setHealth(cameraId, health.snapshot());
      await hooks.streamClosed?.();
      // A stream that died mid-visit still brought frames: analyse what came.
      const partial = err instanceof StreamEndedError ? err.frames : [];
      const { detections, shadow } = partial.length ? await this.analyse(partial, models) : { detections: [], shadow: [] };
      const eligibleAt = health.eligibleAt(now);
      return {
        cameraId,
        ok: false,
        errorCode: err.code,
        error: err.message,
        frames: partial.length,
        ...(partial.length ? { model } : {}),
        detections,
        ...(shadow.length ? { shadow } : {}),
        health: { state: health.current },
        eligibleAt: eligibleAt > now ? eligibleAt : 0,
      };
    }
  }

  /**
   * Runs every model of the visit on every frame; boxes normalised to 0-1. The active models'
   * detections of a frame go together; each shadow model's stay apart. A pool gets every
   * (frame, model) at once (its processes run them side by side); main-thread detectors get one
   * at a time, and one visit's frames at a time per process.
   */
  private analyse(frames: readonly RgbFrame[], models: CameraDetectors): Promise<{ detections: FrameDetections[]; shadow: ShadowDetections[] }> {
    const one = async (detector: FrameDetector, frame: RgbFrame): Promise<FrameDetections> => {
      const { detections, timingsMs } = await detector.detect(frame);
      this.emit('frame', { model: modelId(detector), preprocessMs: timingsMs.preprocess, inferenceMs: timingsMs.inference });
      return detections.items.map((d) => ({
        label: d.label,
        classId: d.classId,
        score: round4(d.score),
        box: [round4(d.box[0] / frame.width), round4(d.box[1] / frame.height), round4(d.box[2] / frame.width), round4(d.box[3] / frame.height)],
      }));
    };
    const all = [...models.active, ...models.shadow];
    const assemble = (results: FrameDetections[][]): { detections: FrameDetections[]; shadow: ShadowDetections[] } => {
      // results[m][f]: model m (active first, then shadow), frame f.
      const active = results.slice(0, models.active.length);
      const detections = frames.map((_, f) => active.flatMap((byFrame) => byFrame[f] ?? []));
      const shadow = models.shadow.map((d, i) => ({ model: modelId(d), detections: results[models.active.length + i] ?? [] }));
      return { detections, shadow };
    };
    if (all.every((d) => d.concurrency > 1)) {
      return Promise.all(all.map((d) => Promise.all(frames.map((frame) => one(d, frame))))).then(assemble);
    }
    const run = async (): Promise<{ detections: FrameDetections[]; shadow: ShadowDetections[] }> => {
      const results: FrameDetections[][] = [];
      for (const d of all) {
        const byFrame: FrameDetections[] = [];
        for (const frame of frames) byFrame.push(await one(d, frame));
        results.push(byFrame);
      }
      return assemble(results);
    };
    const next = this.inference.then(run, run);
    this.inference = next.catch(() => undefined);
    return next;
  }
}
