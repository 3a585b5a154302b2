/**
 * Turns how an ffmpeg run ended (frames received, what its stderr said, whether the stream had
 * opened) into the typed error of the visit. Pure: the visit gathers the facts, this decides.
 * ffmpeg's exit code is not used: when the server dies ffmpeg exits 0 without a word.
 */
import type { RgbFrame } from '../models/preprocess/frame.ts';
import {
  CameraAuthError,
  type CameraError,
  type CameraErrorContext,
  CameraNotFoundError,
  CameraRefusedError,
  CameraStreamError,
  CameraTimeoutError,
  CameraUnreachableError,
  StreamEndedError,
  UndecodableError,
} from './errors.ts';
import { classifyStderr } from './stderr-classify.ts';

/** What is known when ffmpeg has exited without bringing every wanted frame. */
export interface EndedRun {
  /** Frames received (fewer than wanted). */
  readonly frames: readonly RgbFrame[];
  readonly framesWanted: number;
  /** ffmpeg's stderr, already masked. */
  readonly stderr: string;
  /** ffmpeg reported the input open (`Input #0`). */
  readonly opened: boolean;
  /** The socket timeout ffmpeg had (ms), to name a timeout it hit itself. */
  readonly socketTimeoutMs: number;
  /** From spawn to exit (ms). */
  readonly elapsedMs: number;
}

/**
 * The error for a run that ended short. Frames received win: any error after at least one frame
 * is a `StreamEndedError` carrying them, with the classified cause attached.
 */
export function failureOfRun(ctx: CameraErrorContext, run: EndedRun): CameraError {
  const specific = classifiedFailure(ctx, run);
  if (specific instanceof StreamEndedError) return specific;
  if (run.frames.length > 0 || specific === undefined) {
    return new StreamEndedError(ctx, run.frames, run.framesWanted, { stderr: run.stderr, ...(specific ? { cause: specific } : {}) });
  }
  return specific;
}

function classifiedFailure(ctx: CameraErrorContext, run: EndedRun): CameraError | undefined {
  const verdict = classifyStderr(run.stderr);
  const options = { stderr: run.stderr, ...(verdict.line !== undefined ? { cause: new Error(verdict.line) } : {}) };
  // A port that accepts and never answers makes ffmpeg's own socket timeout end in "Invalid data
  // found when processing input"; the elapsed time tells it apart from a real protocol mix-up.
  const hitSocketTimeout = !run.opened && run.elapsedMs >= run.socketTimeoutMs * 0.9;
  switch (verdict.kind) {
    case 'not-found':
      return new CameraNotFoundError(ctx, 'no stream at this path (RTSP 404 Not Found)', options);
    case 'auth':
      return new CameraAuthError(ctx, `credentials rejected (RTSP ${verdict.status})`, { ...options, status: verdict.status });
    case 'refused':
      return new CameraRefusedError(ctx, 'connection refused', options);
    case 'unreachable':
      return new CameraUnreachableError(ctx, 'host unreachable (no route, host down or name not resolved)', options);
    case 'timeout':
      return new CameraTimeoutError(ctx, run.opened ? 'first-frame' : 'connect', run.socketTimeoutMs, options);
    case 'rtsp-status':
      return new CameraStreamError(ctx, `camera answered RTSP ${verdict.status}`, options);
    case 'ended':
      return new StreamEndedError(ctx, run.frames, run.framesWanted, options);
    case 'undecodable':
      if (hitSocketTimeout) return new CameraTimeoutError(ctx, 'connect', run.socketTimeoutMs, options);
      return new UndecodableError(ctx, 'no decodable video (not an RTSP video stream, or the decoder failed)', options);
    case 'unknown':
      // Opened, then silence and a clean exit: the server ended the stream.
      if (verdict.line === undefined) return undefined;
      return new CameraStreamError(ctx, 'ffmpeg failed', options);
  }
}
