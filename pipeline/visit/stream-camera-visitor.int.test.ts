import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DetectOptions, DetectResult } from '../../models/detector.ts';
import { DetectorPool } from '../../models/detector-pool.ts';
import type { FrameDetector } from '../../models/frame-detector.ts';
import { resolveModel } from '../../models/model-catalog.ts';
import type { RgbFrame } from '../../models/preprocess/frame.ts';
import { jpegSize } from '../../streams/jpeg-size.ts';
import { HD_STREAMS, type RtspTestServer, startRtspServer } from '../../test-fixtures/lib/rtsp-server.ts';
import { StreamCameraVisitor } from './stream-camera-visitor.ts';

/** The real pool, with a log of what it was given and when. */
class Recording implements FrameDetector {
  readonly log: string[] = [];
  readonly sizes: string[] = [];
  constructor(private readonly inner: DetectorPool) {}
  get card() {
    return this.inner.card;
  }
  get concurrency() {
    return this.inner.concurrency;
  }
  detect(frame: RgbFrame, options?: DetectOptions): Promise<DetectResult> {
    this.log.push('detect');
    this.sizes.push(`${frame.width}x${frame.height}`);
    return this.inner.detect(frame, options);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const health = new Map<string, unknown>();
const store = {
  getHealth: async <T>(id: string) => (health.get(id) as T | undefined) ?? null,
  setHealth: async (id: string, h: unknown) => void health.set(id, h),
};

// A real 1920x1080 H.264 camera (built from a committed photo by ffmpeg), real ffmpeg, real model.
describe('StreamCameraVisitor on a 1080p camera with the detector pool', () => {
  let rtsp: RtspTestServer;
  let pool: DetectorPool;
  beforeAll(async () => {
    [rtsp, pool] = await Promise.all([
      startRtspServer({ streams: [{ ...HD_STREAMS[0]!, durationSeconds: 2 }], auth: null }),
      resolveModel('picodet-s-416-coco').then((card) => DetectorPool.load(card, { processes: 2 })),
    ]);
  });
  afterAll(async () => {
    await pool?.close();
    await rtsp?.close();
  });

  it.each(['ffmpeg', 'js'] as const)('scaling in %s: closes the stream before inference, frames of the right size, 1080p evidence; releases its models after inference', async (scaleIn) => {
    const detector = new Recording(pool);
    const visitor = new StreamCameraVisitor({
      cameras: () => new Map([['hd', { id: 'hd', url: rtsp.url('hd-bus') }]]),
      // The visit holds its models until its frames are analysed (a reload's drop waits for that).
      models: () => ({ active: [detector], shadow: [], release: () => void detector.log.push('released') }),
      plan: { frames: 2, spacingMs: 200, timeouts: { connectMs: 5000, firstFrameMs: 10_000, visitMs: 20_000 } },
      health: store,
      scaleIn,
    });
    const a = await visitor.visit('hd', { streamClosed: () => void detector.log.push('stream closed') });
    expect(a.error ?? '').toBe('');
    expect(a).toMatchObject({ ok: true, frames: 2, sourceWidth: 1920, sourceHeight: 1080, model: 'picodet-s-416-coco@' + pool.card.version });
    expect(detector.log).toEqual(['stream closed', 'detect', 'detect', 'released']);
    // PicoDet stretches to 416x416: ffmpeg hands that size over; in JS mode the source size comes.
    expect(detector.sizes).toEqual(scaleIn === 'ffmpeg' ? ['416x416', '416x416'] : ['1920x1080', '1920x1080']);
    expect(jpegSize(a.latestJpeg!)).toEqual({ width: 1920, height: 1080 });
    expect(a.detections).toHaveLength(2);
    expect(a.detections.flat().some((d) => d.label === 'bus')).toBe(true);
  });
});
