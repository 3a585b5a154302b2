/**
 * One camera visit: spawn ffmpeg (from the spawner process, see ffmpeg-spawner.ts), take N frames
 * (scaled for the detector) and optionally one full-resolution JPEG, then make sure ffmpeg is
 * gone. Stateless: every call stands alone; the only shared state is the registry of live ffmpeg
 * processes and the spawner process.
 *
 * The ffmpeg process itself is run by `FfmpegRun` (ffmpeg-run.ts); this file turns its outcome
 * into a result or a typed error.
 */
import { performance } from 'node:perf_hooks';
import ffmpeg from 'fluent-ffmpeg';
import type { CameraSource } from './camera-source.ts';
import { resolveUrl } from './camera-source.ts';
import {
  type CameraError,
  CameraConfigError,
  type CameraErrorContext,
  CameraTimeoutError,
  FfmpegUnavailableError,
  VisitAbortedError,
} from './errors.ts';
import { evidencePath, readEvidence, removeEvidence } from './evidence-file.ts';
import { hasControlCharacter } from './stdin-input.ts';
import { FfmpegRun, type RunOutcome, SOCKET_TIMEOUT_MARGIN_MS, type StopReason } from './ffmpeg-run.ts';
import type { FrameSlicer } from './frame-slicer.ts';
import { jpegSize } from './jpeg-size.ts';
import { maskSecrets } from './mask-url.ts';
import { failureOfRun } from './visit-failure.ts';
import { type VisitOptions, type VisitPlan, type VisitResult, assertVisitPlan } from './visit-plan.ts';

export type { VisitOptions } from './visit-plan.ts';

/**
 * Visits one camera: connects, waits for a keyframe, takes `plan.frames` frames at
 * `plan.spacingMs`, disconnects. Resolves once ffmpeg has exited. Rejects with a `CameraError`
 * subclass (messages and fields masked): `CameraNotFoundError`, `CameraAuthError`,
 * `CameraRefusedError`, `CameraUnreachableError`, `CameraTimeoutError` (connect / first-frame /
 * visit), `StreamEndedError` (fewer frames than planned; the ones received are on `.frames`),
 * `UndecodableError`, `CameraStreamError`, `VisitAbortedError`, `FfmpegUnavailableError`,
 * `CameraConfigError`; with a RangeError when `plan` is invalid. Never leaves ffmpeg running.
 */
export async function visitCamera(source: CameraSource, plan: VisitPlan, signal?: AbortSignal, options: VisitOptions = {}): Promise<VisitResult> {
  const t0 = performance.now();
  assertVisitPlan(plan);
  const ctx: CameraErrorContext = { cameraId: source.id, url: source.url };
  if (signal?.aborted) throw new VisitAbortedError(ctx, 'visit aborted before it started', { cause: signal.reason });
  let url: string;
  try {
    url = resolveUrl(source);
  } catch {
    throw new CameraConfigError(ctx, 'cannot add the credentials to the URL (no scheme://host)');
  }
  if (hasControlCharacter(url)) throw new CameraConfigError(ctx, 'the URL holds a control character (a line break?)');
  const jpegPath = plan.evidence ? await evidencePath(source.id) : undefined;
  try {
    const outcome = await new FfmpegRun(url, plan, jpegPath, signal, options, t0).run();
    const stderr = maskSecrets(outcome.stderr, source);
    const frames = outcome.slicer.frames;
    if (outcome.stopped) throw stoppedError(ctx, outcome.stopped, stderr, frames);
    if (outcome.spawnFailed) {
      throw new FfmpegUnavailableError(ctx, 'ffmpeg could not be started', { cause: new Error(maskSecrets(outcome.spawnFailed.message, source)), stderr });
    }
    if (frames.length < plan.frames) {
      throw failureOfRun(ctx, {
        frames,
        framesWanted: plan.frames,
        stderr,
        opened: outcome.log.opened,
        socketTimeoutMs: plan.timeouts.connectMs + SOCKET_TIMEOUT_MARGIN_MS,
        elapsedMs: outcome.exitAt - outcome.spawnAt,
      });
    }
    return await buildResult(source.id, plan, outcome, jpegPath, t0);
  } finally {
    if (jpegPath !== undefined) await removeEvidence(jpegPath);
  }
}

function stoppedError(ctx: CameraErrorContext, stopped: StopReason, stderr: string, frames: FrameSlicer['frames']): CameraError {
  if (stopped.kind === 'abort') return new VisitAbortedError(ctx, 'visit aborted', { cause: stopped.reason, stderr });
  return new CameraTimeoutError(ctx, stopped.phase, stopped.ms, { stderr, frames });
}

async function buildResult(cameraId: string, plan: VisitPlan, o: RunOutcome, jpegPath: string | undefined, t0: number): Promise<VisitResult> {
  const jpeg = jpegPath !== undefined ? await readEvidence(jpegPath) : undefined;
  const jpegDims = jpeg ? jpegSize(jpeg) : undefined;
  const frames = o.slicer.frames.slice(0, plan.frames);
  const keepsSource = plan.outWidth === 0 && plan.outHeight === 0;
  const source = jpegDims ?? o.log.outputSizes.get(1) ?? o.log.inputSize ?? (keepsSource ? frames[0] : undefined);
  return {
    cameraId,
    frames,
    ...(jpeg && jpegDims ? { evidence: { jpeg, width: jpegDims.width, height: jpegDims.height } } : {}),
    sourceWidth: source?.width ?? 0,
    sourceHeight: source?.height ?? 0,
    timings: {
      spawnMs: o.spawnAt - t0,
      firstFrameMs: o.frameAt[0] ?? Number.NaN,
      frameMs: o.frameAt.slice(0, plan.frames),
      totalMs: performance.now() - t0,
    },
    bytesRead: o.slicer.bytesRead,
  };
}

/**
 * Runs fluent-ffmpeg's one-time capability probe (`ffmpeg -formats`, `-encoders`) now instead of
 * in the first visit. Rejects when ffmpeg cannot be found or run.
 */
export function prepareFfmpeg(): Promise<void> {
  return new Promise((resolve, reject) => {
    ffmpeg.getAvailableFormats((err) => {
      if (err) return reject(err instanceof Error ? err : new Error(String(err)));
      ffmpeg.getAvailableEncoders((err2) => (err2 ? reject(err2 instanceof Error ? err2 : new Error(String(err2))) : resolve()));
    });
  });
}
