/**
 * ffmpeg 5.1 argument presets for a camera visit: pure functions, no I/O.
 *
 * Measured on this machine (2 cores, ffmpeg 5.1, 1920x1080 H.264 25 fps from the GStreamer RTSP
 * test server on 127.0.0.1; `npx tsx scripts/bench/ingest-visit.ts`, 16 visits per cell, full
 * numbers in bench-results/ingest-visit.json). Spawn to first frame, median:
 *
 * | flags                                                         | GOP 1 s | GOP 4 s |
 * |---------------------------------------------------------------|---------|---------|
 * | baseline: ffmpeg defaults + `-vf fps=2,scale`                 | 1916 ms | 3622 ms |
 * | these defaults                                                |  838 ms | 2391 ms |
 * | paired (same join instant): baseline minus these              | +1170   | +1216   |
 * | paired: decoder threads left to ffmpeg minus these            |   +65   |   +72   |
 * | paired: `-skip_frame nokey` minus these                       |   +36   |   +13   |
 *
 * Random joins spread the first frame over a whole GOP; the paired rows (two visits started
 * together wait for the same keyframe) isolate what the flags themselves cost. ffmpeg CPU per
 * visit (3 frames 1 s apart, 1080p25 moving picture): baseline 635 ms, these 430 ms, keyframes
 * only 275 ms (it decodes 4 pictures: most of that is ffmpeg's start-up and the RTSP session); the evidence JPEG
 * adds ~35 ms. One sequential visitor (2 frames 500 ms apart + evidence, GOP 1 s): 50.7 visits
 * a minute with these defaults, 29.1 with the baseline.
 *
 * Why each default:
 * - `-probesize 32 -analyzeduration 0`: ffmpeg stops probing after the first packet; the size
 *   comes from the SDP's SPS (or the first keyframe). The default probing reads up to 5 MB or 5 s
 *   of stream first (over 5 s for a 1080p camera with a 4 s GOP).
 * - output `-threads 1`: ffmpeg 5.1 runs the rawvideo (and mjpeg) encoder frame-threaded, so a
 *   frame leaves the encoder only when the next one enters it (`-debug_ts`: "muxer <-" of frame
 *   N comes after "encoder <-" of frame N+1). At 2 frames a second that holds every frame back
 *   500 ms, and with `-skip_frame nokey` a whole GOP: the "keyframes only adds a GOP" measured
 *   before was this, not the decoder (a 4 s GOP file at `-re`: first frame at 3.9 s, 0.0 s with
 *   one encoder thread). One thread costs nothing (rawvideo "encoding" is a copy).
 * - decoder `-threads 1` (input side): frame threading holds each decoded frame back two packets.
 * - spacing by a `select` filter on stream time, before `scale`, with `-fps_mode passthrough`:
 *   exact minimum spacing, no repeated frames, and frames that are dropped are never scaled or
 *   converted to RGB. Output `-r N` with `-fps_mode vfr` keeps an average rate only (measured
 *   gaps of 37-156 ms between the first two frames at `-r 2`) and scales every decoded frame
 *   (~20 % more CPU at 1080p25); CFR `-r` (rawvideo's default) or an `fps` filter repeat the last
 *   frame when a stream stalls or when only keyframes are decoded.
 * - `-flush_packets 1`: each frame goes to the pipe at once instead of waiting in the 32 KiB
 *   output buffer (matters for small frames).
 * - `-timeout` (µs) is the socket timeout for connect and stalls; `-stimeout` is gone in 5.1 and
 *   `-rw_timeout` is rejected by the RTSP demuxer.
 */

/** Default JPEG quality of the evidence frame (`-q:v`, 2 best .. 31 worst). */
export const DEFAULT_EVIDENCE_QUALITY = 3;

/** Global options: no stdin, no banner, no progress, info-level log with a `[level]` tag per line. */
export function globalArgs(): string[] {
  // `level+info` rather than `error`: the visit reads the real output size (`Output #0 ... WxH`)
  // and the source size from the info lines, and the `[error]` tag lets the classifier ignore
  // info text (stream titles) that could look like an error. A visit prints ~1-2 KiB.
  return ['-nostdin', '-hide_banner', '-nostats', '-loglevel', 'level+info'];
}

/** How to open the camera's stream. */
export interface RtspInputOptions {
  /** Socket timeout for connect and for a stalled stream (ms); becomes `-timeout` in µs. */
  readonly socketTimeoutMs: number;
  /** `-probesize 32 -analyzeduration 0`: start decoding after the first packet. Default true. */
  readonly fastStart?: boolean;
  /** `-skip_frame nokey`: decode keyframes only (much less CPU; frames at most one per GOP). Default false. */
  readonly keyframesOnly?: boolean;
  /**
   * Decoder threads (`-threads` before `-i`). Default 1; 0 leaves it to ffmpeg (frame threads,
   * cores + 1), which holds each frame back by two packets (measured: the first frame 65 ms
   * later at 25 fps, paired runs) and costs ~10 % more CPU. One core decodes 1080p25 H.264 in
   * real time; raise it for 4K or H.265 cameras.
   */
  readonly decoderThreads?: number;
  /** RTSP lower transport. Default `tcp` (no UDP port juggling, no packet loss on busy links). */
  readonly transport?: 'tcp' | 'udp';
}

/** Input options for an RTSP camera (placed before `-i`). */
export function rtspInputArgs(o: RtspInputOptions): string[] {
  const args = ['-rtsp_transport', o.transport ?? 'tcp', '-timeout', String(Math.max(1, Math.round(o.socketTimeoutMs * 1000)))];
  if (o.fastStart ?? true) args.push('-probesize', '32', '-analyzeduration', '0');
  if (o.keyframesOnly) args.push('-skip_frame', 'nokey');
  const threads = o.decoderThreads ?? 1;
  if (threads > 0) args.push('-threads', String(threads));
  return args;
}

/** The scaled raw frames for the detector. */
export interface RawVideoOutputOptions {
  /** Output width (px); 0 keeps the source width (or follows the height keeping the aspect ratio). */
  readonly width: number;
  /** Output height (px); 0 keeps the source height (or follows the width keeping the aspect ratio). */
  readonly height: number;
  /** Stop after this many frames (`-frames:v`). */
  readonly frames: number;
  /** Wanted spacing between frames (ms); 0 takes every decoded frame. */
  readonly spacingMs: number;
  /** swscale algorithm. Default `bilinear` (about half the cost of the default bicubic). */
  readonly scaleFlags?: 'fast_bilinear' | 'bilinear' | 'bicubic' | 'area' | 'lanczos';
}

/**
 * The `-vf` scale expression, or undefined when the source size is kept. A 0 side follows the
 * other one keeping the aspect ratio, rounded to even (`-2`).
 */
export function scaleFilter(width: number, height: number, flags = 'bilinear'): string | undefined {
  if (width === 0 && height === 0) return undefined;
  return `scale=${width === 0 ? -2 : width}:${height === 0 ? -2 : height}:flags=${flags}`;
}

/**
 * The `select` filter that keeps the first frame, then each frame at least `spacingMs` after the
 * last kept one, by stream timestamps (RTSP frames always carry them). Placed before `scale`, so
 * dropped frames are never scaled or converted.
 */
export function spacingFilter(spacingMs: number): string {
  return `select=isnan(prev_selected_t)+gte(t-prev_selected_t\\,${(spacingMs / 1000).toFixed(3)})`;
}

/** `-r` value for a spacing: the exact rational `1000/spacingMs` (used by the baseline). */
export function rateForSpacing(spacingMs: number): string {
  return `1000/${Math.round(spacingMs)}`;
}

/** Output options of the raw frame output (the target, e.g. `pipe:1`, comes after). */
export function rawVideoOutputArgs(o: RawVideoOutputOptions): string[] {
  const args = ['-map', '0:v:0', '-an', '-sn', '-dn'];
  const filters = [o.spacingMs > 0 ? spacingFilter(o.spacingMs) : undefined, scaleFilter(o.width, o.height, o.scaleFlags)].filter((f) => f !== undefined);
  if (filters.length > 0) args.push('-vf', filters.join(','));
  // passthrough: the frames select lets through, as they are; rawvideo's default (CFR) would
  // repeat frames to fill the gaps.
  args.push('-fps_mode', 'passthrough', '-frames:v', String(o.frames), '-threads', '1', '-flush_packets', '1', '-pix_fmt', 'rgb24', '-f', 'rawvideo');
  return args;
}

/**
 * Output options of the evidence JPEG: the first decoded frame at source resolution, written as
 * one image file (the target path comes after). Shares the decoder with the raw output, so it costs
 * one JPEG encode, not a second decode. `yuvj420p` is what JPEG viewers expect (full range).
 *
 * `select=eq(n,0)` matters: ffmpeg 5.1 keeps pushing every decoded frame into this output's
 * filters after `-frames:v 1` is reached, and the range conversion to `yuvj420p` of each 1080p
 * frame doubled a visit's CPU (measured 480 -> 970 ms for a 3 s visit). Dropped at `select`,
 * the other frames cost nothing.
 */
export function evidenceOutputArgs(quality = DEFAULT_EVIDENCE_QUALITY): string[] {
  return ['-map', '0:v:0', '-an', '-sn', '-dn', '-vf', 'select=eq(n\\,0)', '-frames:v', '1', '-threads', '1', '-pix_fmt', 'yuvj420p', '-q:v', String(quality), '-f', 'image2', '-update', '1'];
}

/**
 * The flags a visit would have without tuning, for benchmarks: ffmpeg's default probing, an
 * `fps` filter before the scale, default threading, otherwise the same output.
 */
export function baselineArgs(o: { socketTimeoutMs: number; width: number; height: number; frames: number; spacingMs: number }): { input: string[]; output: string[] } {
  const filters = [o.spacingMs > 0 ? `fps=${rateForSpacing(o.spacingMs)}` : undefined, scaleFilter(o.width, o.height, 'bicubic')].filter((f) => f !== undefined);
  return {
    input: ['-rtsp_transport', 'tcp', '-timeout', String(Math.round(o.socketTimeoutMs * 1000))],
    output: ['-map', '0:v:0', ...(filters.length ? ['-vf', filters.join(',')] : []), '-frames:v', String(o.frames), '-pix_fmt', 'rgb24', '-f', 'rawvideo'],
  };
}
