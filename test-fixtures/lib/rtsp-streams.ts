/**
 * H.264 clips for the RTSP test server, built with ffmpeg from committed still photos (nothing big
 * is committed) and cached under the OS temp directory by a hash of the inputs and the ffmpeg
 * arguments, so only the first run of a machine pays for encoding (~1 s per clip).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

const images = join(import.meta.dirname, '..', 'coco', 'images');

/** A committed COCO photo by its 12-digit id, e.g. `cocoImage('000000000641')`. */
export const cocoImage = (id: string): string => join(images, `${id}.jpg`);

/** A committed scene photo for the trained models' demos (test-fixtures/scenes, CC BY 4.0, see its notice). */
export const sceneImage = (name: string): string => join(import.meta.dirname, '..', 'scenes', `${name}.jpg`);

/** What a clip shows. */
export type StreamSource =
  /** The photo, unchanged in every frame (P-frames are nearly empty). */
  | { readonly kind: 'still'; readonly image: string }
  /** A window moving around the photo (scaled to 1.25x the output) on an ellipse, once per clip: every frame differs, the loop is seamless. */
  | { readonly kind: 'pan'; readonly image: string }
  /** ffmpeg's synthetic `testsrc2` pattern (moving, with a clock). */
  | { readonly kind: 'testsrc' };

/** One camera of the test server. */
export interface StreamSpec {
  /** Mount path without the leading slash, e.g. `street-bus`. */
  readonly path: string;
  readonly source: StreamSource;
  /** Frame size in pixels (even). Default: a still's own size rounded down to even; 1280x720 for `pan` and `testsrc`. Other sizes scale to cover and crop the centre. */
  readonly width?: number;
  readonly height?: number;
  /** Frames per second. Default 25. */
  readonly fps?: number;
  /** Keyframe interval in seconds (fixed, no scene cuts). Default 1. */
  readonly gopSeconds?: number;
  /** Clip length in seconds before it loops, rounded up to whole GOPs. Default 8. */
  readonly durationSeconds?: number;
}

/** A clip on disk, ready to serve. */
export interface BuiltStream {
  readonly path: string;
  /** The MP4 file (H.264 only, constrained baseline, no B-frames). */
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly gopSeconds: number;
  readonly durationSeconds: number;
}

const DEFAULT_FPS = 25;
const DEFAULT_DURATION_S = 8;
const WIDE = { width: 1280, height: 720 } as const;

/**
 * The default cameras: four street stills at the photos' own sizes (so the committed COCO labels
 * stay valid in frame pixels), a portrait still with a 4 s GOP, a 720p pan with motion, a 720p
 * still behind credentials (see {@link DEFAULT_AUTH}), and an overflowing bin and a smoke scene
 * for the trained models.
 */
export const DEFAULT_STREAMS: readonly StreamSpec[] = [
  { path: 'street-bus', source: { kind: 'still', image: cocoImage('000000000641') } },
  { path: 'street-cars', source: { kind: 'still', image: cocoImage('000000000540') } },
  { path: 'umbrellas', source: { kind: 'still', image: cocoImage('000000000315') } },
  { path: 'crowd', source: { kind: 'still', image: cocoImage('000000000544') } },
  { path: 'gop4', source: { kind: 'still', image: cocoImage('000000000073') }, gopSeconds: 4 },
  { path: 'motion', source: { kind: 'pan', image: cocoImage('000000000071') }, ...WIDE },
  { path: 'secure', source: { kind: 'still', image: cocoImage('000000000641') }, ...WIDE },
  // For the trained garbage and fire / smoke models (demo.yaml cameras lane-bins and yard-smoke).
  { path: 'overflowing-bin', source: { kind: 'still', image: sceneImage('overflowing-bin') } },
  { path: 'smoke', source: { kind: 'still', image: sceneImage('smoke') } },
];

/**
 * Real 1080p cameras (1920x1080 H.264, 25 fps) for ingest measurements: a window panning over a
 * committed photo, so every frame differs and the decoder does real work. Three with a 1 s GOP,
 * one with a 4 s GOP. Built on first use (a few seconds each, cached like the others).
 */
export const HD_STREAMS: readonly StreamSpec[] = [
  { path: 'hd-bus', source: { kind: 'pan', image: cocoImage('000000000641') }, width: 1920, height: 1080, gopSeconds: 1 },
  { path: 'hd-cars', source: { kind: 'pan', image: cocoImage('000000000540') }, width: 1920, height: 1080, gopSeconds: 1 },
  { path: 'hd-crowd', source: { kind: 'pan', image: cocoImage('000000000544') }, width: 1920, height: 1080, gopSeconds: 1 },
  { path: 'hd-gop4', source: { kind: 'pan', image: cocoImage('000000000073') }, width: 1920, height: 1080, gopSeconds: 4 },
];

const even = (n: number): number => Math.max(2, Math.floor(n / 2) * 2);

async function frameSize(spec: StreamSpec): Promise<{ width: number; height: number }> {
  if (spec.width !== undefined && spec.height !== undefined) return { width: even(spec.width), height: even(spec.height) };
  if (spec.source.kind !== 'still') return WIDE;
  const meta = await sharp(spec.source.image).metadata();
  if (!meta.width || !meta.height) throw new Error(`${spec.source.image}: no image size`);
  return { width: even(meta.width), height: even(meta.height) };
}

function ffmpegArgs(spec: StreamSpec, size: { width: number; height: number }, fps: number, gop: number, seconds: number): string[] {
  const { width: w, height: h } = size;
  const cover = (sw: number, sh: number): string => `scale=${sw}:${sh}:force_original_aspect_ratio=increase`;
  const src = spec.source;
  let input: string[];
  let filter: string;
  if (src.kind === 'testsrc') {
    input = ['-f', 'lavfi', '-i', `testsrc2=size=${w}x${h}:rate=${fps}`];
    filter = 'format=yuv420p';
  } else {
    input = ['-loop', '1', '-framerate', String(fps), '-i', src.image];
    const move = `x='(iw-ow)/2*(1+sin(2*PI*t/${seconds}))':y='(ih-oh)/2*(1+cos(2*PI*t/${seconds}))'`;
    filter = src.kind === 'pan'
      ? `${cover(even(w * 1.25), even(h * 1.25))},crop=${w}:${h}:${move},setsar=1,format=yuv420p`
      : `${cover(w, h)},crop=${w}:${h},setsar=1,format=yuv420p`;
  }
  const keyint = Math.round(gop * fps);
  return [
    '-v', 'error', '-nostdin', '-y', ...input, '-t', String(seconds), '-vf', filter, '-an',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-bf', '0',
    '-x264-params', `keyint=${keyint}:min-keyint=${keyint}:scenecut=0`,
    '-movflags', '+faststart', '-f', 'mp4',
  ];
}

function runFfmpeg(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg ${args.join(' ')} failed (exit ${code}): ${stderr.trim()}`))));
  });
}

const sha256 = async (file: string): Promise<string> => createHash('sha256').update(await readFile(file)).digest('hex');

/**
 * Whether a cached clip is the one this harness built: its content must match the sha256 written
 * beside it. (Seen on a shared machine: another process overwrote a cached clip with a different
 * encoding; a name-only cache served it without notice.)
 */
async function isIntact(file: string): Promise<boolean> {
  try {
    const [want, got] = await Promise.all([readFile(`${file}.sha256`, 'utf8'), sha256(file)]);
    return want.trim() === got;
  } catch {
    return false;
  }
}

/** Where built clips are cached; safe to delete at any time. */
export const streamCacheDir = (): string => join(tmpdir(), 'gridworker-rtsp-streams');

/** Builds (or finds in the cache) the clip of one stream. */
export async function buildStream(spec: StreamSpec): Promise<BuiltStream> {
  const fps = spec.fps ?? DEFAULT_FPS;
  const gopSeconds = spec.gopSeconds ?? 1;
  const durationSeconds = Math.ceil((spec.durationSeconds ?? DEFAULT_DURATION_S) / gopSeconds) * gopSeconds;
  const size = await frameSize(spec);
  const args = ffmpegArgs(spec, size, fps, gopSeconds, durationSeconds);
  const hash = createHash('sha256').update(JSON.stringify(args));
  if (spec.source.kind !== 'testsrc') hash.update(await readFile(spec.source.image));
  const dir = streamCacheDir();
  const file = join(dir, `${spec.path.replace(/[^\w-]/g, '_')}-${hash.digest('hex').slice(0, 16)}.mp4`);
  if (!(await isIntact(file))) {
    await mkdir(dir, { recursive: true });
    // Written under a unique name and renamed: parallel test processes never see half a file.
    const partial = `${file}.${process.pid}.${Date.now()}.partial`;
    try {
      await runFfmpeg([...args, partial]);
      const digest = await sha256(partial);
      await rename(partial, file);
      await writeFile(`${file}.sha256`, `${digest}\n`);
    } finally {
      await rm(partial, { force: true });
    }
  }
  return { path: spec.path, file, ...size, fps, gopSeconds, durationSeconds };
}

/** Builds every stream, two ffmpeg processes at a time. */
export async function buildStreams(specs: readonly StreamSpec[]): Promise<BuiltStream[]> {
  const out: BuiltStream[] = new Array(specs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < specs.length; i = next++) out[i] = await buildStream(specs[i]!);
  };
  await Promise.all([worker(), worker()]);
  return out;
}
