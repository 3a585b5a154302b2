/**
 * What one camera visit should bring back, and what it did bring back.
 */
import type { RgbFrame } from '../models/preprocess/frame.ts';

/** Watchdog limits of one visit, in milliseconds. */
export interface VisitTimeouts {
  /**
   * From spawn until ffmpeg reports the stream open (RTSP set up, first packet probed). Also the
   * socket timeout ffmpeg gets (`-timeout`, plus a margin so that this watchdog decides).
   */
  readonly connectMs: number;
  /** From spawn until the first frame is complete. Should exceed the cameras' GOP + connectMs. */
  readonly firstFrameMs: number;
  /** From the call until the visit is over, everything included. */
  readonly visitMs: number;
}

/** How to visit a camera. */
export interface VisitPlan {
  /** Frames to take (>= 1). */
  readonly frames: number;
  /**
   * Minimum spacing between taken frames (ms); 0 takes consecutive frames. Applied by ffmpeg
   * (`-fps_mode vfr -r 1000/spacingMs`): frames are dropped to keep the spacing, never repeated.
   */
  readonly spacingMs: number;
  /** Width of the returned frames (px); 0 with outHeight 0 keeps the source size; 0 alone keeps the aspect ratio. */
  readonly outWidth: number;
  /** Height of the returned frames (px); see outWidth. */
  readonly outHeight: number;
  /** Also bring back the first frame at source resolution as a JPEG. */
  readonly evidence: boolean;
  /**
   * Decode keyframes only (`-skip_frame nokey`): ~5x less decoding CPU, but at most one frame
   * per GOP, so `frames` > 1 takes (frames - 1) GOPs. Default false.
   */
  readonly keyframesOnly?: boolean;
  readonly timeouts: VisitTimeouts;
}

/** The evidence picture: one full-resolution frame as JPEG. */
export interface EvidenceJpeg {
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
}

/** Where the time of a visit went (ms). */
export interface VisitTimings {
  /** From the call until ffmpeg was spawned (includes fluent-ffmpeg's one-time capability probe on the first visit of a process). */
  readonly spawnMs: number;
  /** From spawn until the first frame was complete. */
  readonly firstFrameMs: number;
  /** From spawn until each frame was complete. */
  readonly frameMs: readonly number[];
  /** From the call until the result was ready (ffmpeg exited, evidence read). */
  readonly totalMs: number;
}

/** What a successful visit brings back. */
export interface VisitResult {
  readonly cameraId: string;
  /** Exactly `plan.frames` frames, scaled as planned, in arrival order. */
  readonly frames: RgbFrame[];
  /** Present when the plan asked for it and ffmpeg wrote it. */
  readonly evidence?: EvidenceJpeg;
  /** The camera's picture size (px); 0 when ffmpeg did not report it. */
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  readonly timings: VisitTimings;
  /** Raw video bytes read from ffmpeg's stdout. */
  readonly bytesRead: number;
}

const isCount = (n: number, min: number): boolean => Number.isInteger(n) && n >= min;

/** Throws RangeError naming the first bad field of `plan`. */
export function assertVisitPlan(plan: VisitPlan): void {
  const bad = (field: string, value: unknown, want: string): never => {
    throw new RangeError(`visit plan: ${field} must be ${want}, got ${String(value)}`);
  };
  if (!isCount(plan.frames, 1)) bad('frames', plan.frames, 'an integer >= 1');
  if (!(Number.isFinite(plan.spacingMs) && plan.spacingMs >= 0)) bad('spacingMs', plan.spacingMs, 'a number >= 0');
  for (const side of ['outWidth', 'outHeight'] as const) {
    const v = plan[side];
    if (!isCount(v, 0) || v > 16384) bad(side, v, 'an integer from 0 to 16384');
  }
  for (const t of ['connectMs', 'firstFrameMs', 'visitMs'] as const) {
    const v = plan.timeouts?.[t];
    if (!(Number.isFinite(v) && v > 0)) bad(`timeouts.${t}`, v, 'a number > 0');
  }
}

/** Tuning for benchmarks and experiments; the defaults are the measured best. */
export interface VisitOptions {
  /** `baseline`: ffmpeg's default probing and threading with an `fps` filter, for comparison. Default `tuned`. */
  readonly flags?: 'tuned' | 'baseline';
  /** Decoder threads (`-threads` before `-i`); default 1, 0 lets ffmpeg choose (see ffmpeg-args.ts). */
  readonly decoderThreads?: number;
  /** Called with the pid once ffmpeg runs (benchmarks read its CPU time from /proc). */
  readonly onSpawn?: (pid: number) => void;
  /**
   * Put the URL on ffmpeg's command line (`-i <url>`) instead of feeding it through stdin.
   * Benchmarks only: the credentials are then visible to every local user (`ps`). Default false.
   */
  readonly urlOnCommandLine?: boolean;
  /**
   * Who forks ffmpeg: `spawner` (a small long-lived child process, ffmpeg-spawner.ts; this
   * process's event loop never waits for the fork) or `self` (this process through
   * fluent-ffmpeg; a fork from a large process stalls its event loop). Default `spawner`.
   */
  readonly spawnFrom?: 'spawner' | 'self';
  /**
   * Niceness added to ffmpeg over this process's own (0-19, capped at 19), so that this process's
   * event loop gets a core first when the cores are saturated (config `patrol.childNice`). Default 0.
   */
  readonly nice?: number;
}
