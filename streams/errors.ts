/**
 * Typed errors of a camera visit. Each has a stable `code`, the `cameraId`, the camera's URL
 * already masked (`url`), and, when there is one, the original error as `cause` (callers pass
 * causes whose text is already masked: see `maskSecrets`). Messages read
 * `camera cam-12 (rtsp://***:***@10.0.0.5:554/live): connection refused`.
 *
 * `failure` tells the health tracker whose fault it is:
 * - `config`: the camera's settings are wrong (bad credentials, wrong path, bad URL); retrying
 *   soon will not help.
 * - `transient`: the camera or the network misbehaved; it may come back by itself.
 * - `local`: this worker's own doing (visit aborted, ffmpeg missing); not held against the camera.
 */
import type { RgbFrame } from '../models/preprocess/frame.ts';
import { maskUrl } from './mask-url.ts';

/** Whose fault a failed visit is; see the module comment. */
export type FailureKind = 'config' | 'transient' | 'local';

/** Which camera an error is about. `url` may hold credentials: the error masks it. */
export interface CameraErrorContext {
  readonly cameraId: string;
  readonly url: string;
}

/** Options common to every camera error. */
export interface CameraErrorOptions {
  /** The underlying error; its text must already be masked. */
  readonly cause?: unknown;
  /** The last lines ffmpeg wrote to stderr, already masked. */
  readonly stderr?: string;
}

/** Base class: something went wrong while visiting one camera. */
export class CameraError extends Error {
  readonly code: string = 'CAMERA_ERROR';
  readonly failure: FailureKind = 'transient';
  readonly cameraId: string;
  /** The camera URL with credentials replaced by `***`. */
  readonly url: string;
  /** Tail of ffmpeg's stderr (masked), when ffmpeg said something. */
  readonly stderr: string | undefined;

  constructor(ctx: CameraErrorContext, what: string, options?: CameraErrorOptions) {
    const url = maskUrl(ctx.url);
    super(`camera ${ctx.cameraId} (${url}): ${what}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.cameraId = ctx.cameraId;
    this.url = url;
    this.stderr = options?.stderr;
  }

  /** A plain object for logs and the API: never frames, never secrets. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, failure: this.failure, cameraId: this.cameraId, url: this.url, message: this.message };
  }
}

/** The camera URL cannot be used (no scheme, credentials cannot be merged). */
export class CameraConfigError extends CameraError {
  override readonly code = 'CAMERA_CONFIG_INVALID';
  override readonly failure = 'config';
}

/** No route to the camera: DNS failure, host down, network unreachable. */
export class CameraUnreachableError extends CameraError {
  override readonly code = 'CAMERA_UNREACHABLE';
}

/** The camera's host answered the TCP connect with a refusal (nothing listens on the port). */
export class CameraRefusedError extends CameraError {
  override readonly code = 'CAMERA_REFUSED';
}

/** The camera rejected the credentials (RTSP 401 or 403). */
export class CameraAuthError extends CameraError {
  override readonly code = 'CAMERA_AUTH_FAILED';
  override readonly failure = 'config';
  /** RTSP status, 401 or 403 (undefined when ffmpeg did not say). */
  readonly status: number | undefined;
  constructor(ctx: CameraErrorContext, what: string, options?: CameraErrorOptions & { status?: number }) {
    super(ctx, what, options);
    this.status = options?.status;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status };
  }
}

/** The camera has no stream at this path (RTSP 404). */
export class CameraNotFoundError extends CameraError {
  override readonly code = 'CAMERA_NOT_FOUND';
  override readonly failure = 'config';
}

/** Which watchdog fired: no answer at all, no first frame, or the whole visit took too long. */
export type TimeoutPhase = 'connect' | 'first-frame' | 'visit';

/**
 * A watchdog fired (or ffmpeg's own socket timeout); ffmpeg was killed. Frames that arrived before
 * are kept on `frames` (not serialised).
 */
export class CameraTimeoutError extends CameraError {
  override readonly code = 'CAMERA_TIMEOUT';
  readonly phase: TimeoutPhase;
  /** The limit that was exceeded (ms). */
  readonly timeoutMs: number;
  /** Frames received before the timeout (usually none). */
  declare readonly frames: readonly RgbFrame[];
  constructor(ctx: CameraErrorContext, phase: TimeoutPhase, timeoutMs: number, options?: CameraErrorOptions & { frames?: readonly RgbFrame[] }) {
    super(ctx, `${phase} timeout: ${describePhase(phase)} within ${timeoutMs} ms`, options);
    this.phase = phase;
    this.timeoutMs = timeoutMs;
    Object.defineProperty(this, 'frames', { value: options?.frames ?? [], enumerable: false });
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), phase: this.phase, timeoutMs: this.timeoutMs, framesReceived: this.frames.length };
  }
}

function describePhase(phase: TimeoutPhase): string {
  if (phase === 'connect') return 'stream not opened (no RTSP answer, or no first packet)';
  if (phase === 'first-frame') return 'no frame';
  return 'visit not finished';
}

/**
 * The stream ended (server stopped, camera rebooted) before the wanted number of frames.
 * The frames that did arrive are kept on `frames` (not serialised) so the caller can still use them.
 */
export class StreamEndedError extends CameraError {
  override readonly code = 'STREAM_ENDED';
  readonly framesWanted: number;
  /** Frames received before the end (may be empty). */
  declare readonly frames: readonly RgbFrame[];
  constructor(ctx: CameraErrorContext, frames: readonly RgbFrame[], framesWanted: number, options?: CameraErrorOptions) {
    super(ctx, `stream ended after ${frames.length} of ${framesWanted} frames`, options);
    this.framesWanted = framesWanted;
    // Not enumerable: inspecting or serialising the error must not dump megabytes of pixels.
    Object.defineProperty(this, 'frames', { value: frames, enumerable: false });
  }
  /** Number of frames received before the end. */
  get framesReceived(): number {
    return this.frames.length;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), framesReceived: this.framesReceived, framesWanted: this.framesWanted };
  }
}

/** The camera answered but no picture could be decoded (no video stream, decoder failure). */
export class UndecodableError extends CameraError {
  override readonly code = 'STREAM_UNDECODABLE';
}

/** ffmpeg failed in a way none of the other classes describes. */
export class CameraStreamError extends CameraError {
  override readonly code = 'CAMERA_STREAM_FAILED';
}

/** The visit was cancelled through its AbortSignal; ffmpeg was killed. */
export class VisitAbortedError extends CameraError {
  override readonly code = 'VISIT_ABORTED';
  override readonly failure = 'local';
}

/** ffmpeg could not be started on this worker (not installed, no resources). */
export class FfmpegUnavailableError extends CameraError {
  override readonly code = 'FFMPEG_UNAVAILABLE';
  override readonly failure = 'local';
}
