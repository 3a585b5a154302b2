import { type Random, logNormal } from './random.ts';

/**
 * How long simulated visits take and which cameras fail. Defaults come from measurements on the
 * target machine (../shared/PLATFORM.md): ffmpeg with `-probesize 32 -analyzeduration 0` reaches
 * its first frame ~0.65 s after spawning on a 1 s GOP stream and ~3 s on a 4 s GOP; a closed
 * port or wrong path fails in ~0.1 s; inference of a small detector ~30 ms per frame.
 */
export interface VisitModelOptions {
  /** Median connect + first frame on 1 s GOP cameras, ms. Default 650. */
  readonly connectMs: number;
  /** Median connect + first frame on long-GOP (4 s) cameras, ms. Default 3000. */
  readonly connectMsLongGop: number;
  /** Share of cameras with a long GOP, 0-1. Default 0.2. */
  readonly longGopFraction: number;
  /** Frames taken per visit. Default 3. */
  readonly frames: number;
  /** Time between those frames, ms. Default 500. */
  readonly spacingMs: number;
  /** Inference per frame, ms. Default 30. */
  readonly inferMs: number;
  /** Share of cameras that are offline for the whole run, 0-1. Default 0.05. */
  readonly offlineFraction: number;
  /** Median time for a visit to an offline camera to fail, ms. Default 100. */
  readonly failMs: number;
  /** Log-normal spread of every duration (sigma). Default 0.3. */
  readonly jitter: number;
  /** When set, every online visit's duration is drawn around this median instead (ms). */
  readonly visitMsMedian?: number;
}

/** The defaults documented on VisitModelOptions. */
export const DEFAULT_VISIT_MODEL: VisitModelOptions = {
  connectMs: 650,
  connectMsLongGop: 3000,
  longGopFraction: 0.2,
  frames: 3,
  spacingMs: 500,
  inferMs: 30,
  offlineFraction: 0.05,
  failMs: 100,
  jitter: 0.3,
};

/** One simulated visit. */
export interface SimulatedVisit {
  readonly durationMs: number;
  readonly ok: boolean;
}

/** Draws visits for a fixed population of cameras; which are offline or long-GOP is drawn once. */
export class VisitModel {
  private readonly offline: Uint8Array;
  private readonly longGop: Uint8Array;

  constructor(
    readonly options: VisitModelOptions,
    cameras: number,
    private readonly random: Random,
  ) {
    this.offline = Uint8Array.from({ length: cameras }, () => (random() < options.offlineFraction ? 1 : 0));
    this.longGop = Uint8Array.from({ length: cameras }, () => (random() < options.longGopFraction ? 1 : 0));
  }

  /** Whether camera number `i` is offline for the whole run. */
  isOffline(i: number): boolean {
    return this.offline[i] === 1;
  }

  /** A visit to camera number `i`. */
  visit(i: number): SimulatedVisit {
    const o = this.options;
    if (this.offline[i]) return { durationMs: logNormal(this.random, o.failMs, o.jitter), ok: false };
    if (o.visitMsMedian !== undefined) return { durationMs: logNormal(this.random, o.visitMsMedian, o.jitter), ok: true };
    const connect = logNormal(this.random, this.longGop[i] ? o.connectMsLongGop : o.connectMs, o.jitter);
    return { durationMs: connect + (o.frames - 1) * o.spacingMs + o.frames * o.inferMs, ok: true };
  }
}
