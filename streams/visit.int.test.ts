import { readdirSync, readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RtspTestServer, type SilentServer, freePort, startRtspServer, startSilentServer } from '../test-fixtures/lib/rtsp-server.ts';
import { CameraAuthError, type CameraError, CameraNotFoundError, CameraRefusedError, CameraTimeoutError, StreamEndedError, VisitAbortedError } from './errors.ts';
import { liveFfmpegCount } from './ffmpeg-registry.ts';
import { sharedSpawner } from './ffmpeg-spawner.ts';
import { prepareFfmpeg, visitCamera } from './visit.ts';
import type { VisitPlan } from './visit-plan.ts';

const plan: VisitPlan = {
  frames: 3,
  spacingMs: 200,
  outWidth: 320,
  outHeight: 240,
  evidence: true,
  // Generous: the suite runs unit and integration files at once on 2 cores, and the first client of
  // a mount makes the RTSP server preroll its pipeline.
  timeouts: { connectMs: 8_000, firstFrameMs: 8_000, visitMs: 15_000 },
};

/** Pids of ffmpeg processes whose parent is this process or its spawner process, from /proc. */
function ffmpegChildren(): number[] {
  const parents = new Set([process.pid, sharedSpawner().pid]);
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      if (m && m[1] === 'ffmpeg' && parents.has(Number(m[2]))) out.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

async function rejection(p: Promise<unknown>): Promise<CameraError> {
  try {
    await p;
  } catch (err) {
    return err as CameraError;
  }
  throw new Error('expected the visit to fail');
}

/** Every way an error can end up in a log or an API answer. */
const renderings = (e: CameraError): string[] => [e.message, String(e), e.stack ?? '', JSON.stringify(e), e.stderr ?? '', inspect(e, { depth: 6, showHidden: true })];

describe('visitCamera against a real RTSP server', () => {
  let rtsp: RtspTestServer;
  let silent: SilentServer;

  beforeAll(async () => {
    [rtsp, silent] = await Promise.all([startRtspServer(), startSilentServer(), prepareFfmpeg()]).then(([r, s]) => [r, s] as const);
  });

  afterAll(async () => {
    await Promise.all([rtsp?.close(), silent?.close()]);
    // Checked after everything else has run: no visit left an ffmpeg behind.
    expect(liveFfmpegCount()).toBe(0);
    expect(ffmpegChildren()).toEqual([]);
  });

  it('brings N frames of the planned size and a source-size evidence JPEG', async () => {
    const stream = rtsp.streams.find((s) => s.path === 'street-bus')!;
    const r = await visitCamera({ id: 'cam-bus', url: rtsp.url('street-bus') }, plan);
    expect(r.cameraId).toBe('cam-bus');
    expect(r.frames).toHaveLength(3);
    for (const f of r.frames) {
      expect(f).toMatchObject({ width: 320, height: 240 });
      expect(f.data.length).toBe(320 * 240 * 3);
    }
    expect([r.sourceWidth, r.sourceHeight]).toEqual([stream.width, stream.height]);
    expect(r.evidence).toMatchObject({ width: stream.width, height: stream.height });
    const meta = await sharp(r.evidence!.jpeg).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', stream.width, stream.height]);
    expect(r.bytesRead).toBeGreaterThanOrEqual(3 * 320 * 240 * 3);
    expect(r.timings.firstFrameMs).toBeGreaterThan(0);
    expect(r.timings.frameMs).toHaveLength(3);
    expect(r.timings.totalMs).toBeGreaterThanOrEqual(r.timings.firstFrameMs);
    // A real picture, not a grey placeholder: the pixels vary.
    const px = r.frames[0]!.data;
    expect(Math.max(...px.subarray(0, 3000)) - Math.min(...px.subarray(0, 3000))).toBeGreaterThan(50);
    expect(liveFfmpegCount()).toBe(0);
  });

  it('keeps the source size when asked (0 x 0), and follows one side keeping the aspect ratio', async () => {
    const stream = rtsp.streams.find((s) => s.path === 'motion')!;
    const full = await visitCamera({ id: 'cam-m', url: rtsp.url('motion') }, { ...plan, frames: 1, outWidth: 0, outHeight: 0, evidence: false });
    expect(full.frames[0]).toMatchObject({ width: stream.width, height: stream.height });
    expect(full.evidence).toBeUndefined();
    const half = await visitCamera({ id: 'cam-m', url: rtsp.url('motion') }, { ...plan, frames: 2, outWidth: stream.width / 2, outHeight: 0, evidence: false });
    expect(half.frames[1]).toMatchObject({ width: stream.width / 2, height: stream.height / 2 });
    expect(Buffer.compare(Buffer.from(half.frames[0]!.data), Buffer.from(half.frames[1]!.data))).not.toBe(0);
  });

  it('takes keyframes only when planned', async () => {
    const r = await visitCamera({ id: 'cam-k', url: rtsp.url('motion') }, { ...plan, frames: 2, spacingMs: 0, keyframesOnly: true, evidence: false });
    expect(r.frames).toHaveLength(2);
    // One GOP (1 s) apart, give or take delivery jitter.
    expect(r.timings.frameMs[1]! - r.timings.frameMs[0]!).toBeGreaterThan(600);
  });

  it('404 -> CameraNotFoundError, quickly', async () => {
    const t = performance.now();
    const err = await rejection(visitCamera({ id: 'cam-404', url: rtsp.url('no-such-path') }, plan));
    expect(err).toBeInstanceOf(CameraNotFoundError);
    expect(err.code).toBe('CAMERA_NOT_FOUND');
    expect(err.message).toBe(`camera cam-404 (${rtsp.url('no-such-path')}): no stream at this path (RTSP 404 Not Found)`);
    expect(performance.now() - t).toBeLessThan(2_000);
  });

  it('closed port -> CameraRefusedError', async () => {
    const port = await freePort();
    const err = await rejection(visitCamera({ id: 'cam-closed', url: `rtsp://admin:s3cret@127.0.0.1:${port}/live` }, plan));
    expect(err).toBeInstanceOf(CameraRefusedError);
    expect(err.message).toBe(`camera cam-closed (rtsp://***:***@127.0.0.1:${port}/live): connection refused`);
    for (const text of renderings(err)) expect(text).not.toContain('s3cret');
  });

  it('auth mount: no credentials -> CameraAuthError; separate username/password -> frames; no password in any text', async () => {
    const auth = rtsp.auth!;
    const bare = await rejection(visitCamera({ id: 'cam-sec', url: rtsp.url(auth.path) }, plan));
    expect(bare).toBeInstanceOf(CameraAuthError);
    expect((bare as CameraAuthError).status).toBe(401);

    const wrong = await rejection(visitCamera({ id: 'cam-sec', url: rtsp.url(auth.path), username: auth.user, password: 'Wr0ng-pa55!' }, plan));
    expect(wrong).toBeInstanceOf(CameraAuthError);
    for (const text of renderings(wrong)) {
      expect(text).not.toContain('Wr0ng-pa55!');
      expect(text).not.toContain(encodeURIComponent('Wr0ng-pa55!'));
    }

    const good = await visitCamera({ id: 'cam-sec', url: rtsp.url(auth.path), username: auth.user, password: auth.password }, plan);
    expect(good.frames).toHaveLength(3);
    expect(good.evidence?.width).toBe(rtsp.streams.find((s) => s.path === auth.path)!.width);

    // The same credentials inside the URL: errors still mask them.
    const inUrl = await rejection(visitCamera({ id: 'cam-sec', url: rtsp.url('missing', auth) }, plan));
    expect(inUrl).toBeInstanceOf(CameraNotFoundError);
    for (const text of renderings(inUrl)) {
      for (const secret of [auth.password, encodeURIComponent(auth.password), auth.user]) expect(text).not.toContain(secret);
    }
  });

  it('port that never answers -> CameraTimeoutError (connect) within the timeout + a small margin', async () => {
    const connectMs = 1_500;
    const t = performance.now();
    const err = await rejection(visitCamera({ id: 'cam-silent', url: silent.url('live') }, { ...plan, timeouts: { ...plan.timeouts, connectMs } }));
    const elapsed = performance.now() - t;
    expect(err).toBeInstanceOf(CameraTimeoutError);
    expect((err as CameraTimeoutError).phase).toBe('connect');
    expect(elapsed).toBeGreaterThanOrEqual(connectMs);
    expect(elapsed).toBeLessThan(connectMs + 1_500);
    expect(liveFfmpegCount()).toBe(0);
  });

  it('frozen stream -> CameraTimeoutError (first-frame)', async () => {
    await rtsp.stallStream('umbrellas');
    try {
      const err = await rejection(visitCamera({ id: 'cam-frozen', url: rtsp.url('umbrellas') }, { ...plan, timeouts: { connectMs: 3_000, firstFrameMs: 2_500, visitMs: 15_000 } }));
      expect(err).toBeInstanceOf(CameraTimeoutError);
      expect((err as CameraTimeoutError).phase).toMatch(/^(first-frame|connect)$/);
    } finally {
      await rtsp.resumeStream('umbrellas');
    }
  });

  it('stream stopped mid-visit -> StreamEndedError with the frames received so far', async () => {
    const visit = visitCamera({ id: 'cam-stop', url: rtsp.url('crowd') }, { ...plan, frames: 40, spacingMs: 100, evidence: false }, undefined, {
      onSpawn: () => {
        // Stop once the first frame must have come (GOP 1 s + connect), well before the 40th (4 s).
        setTimeout(() => void rtsp.stopStream('crowd'), 2_200);
      },
    });
    try {
      const err = await rejection(visit);
      expect(err).toBeInstanceOf(StreamEndedError);
      const ended = err as StreamEndedError;
      expect(ended.framesWanted).toBe(40);
      expect(ended.framesReceived).toBeGreaterThanOrEqual(1);
      expect(ended.framesReceived).toBeLessThan(40);
      expect(ended.frames[0]).toMatchObject({ width: 320, height: 240 });
      expect(JSON.stringify(ended)).not.toContain('"data"');
    } finally {
      await rtsp.restartStream('crowd');
    }
  });

  it('AbortSignal -> VisitAbortedError, ffmpeg gone', async () => {
    const ac = new AbortController();
    const t = performance.now();
    setTimeout(() => ac.abort(), 300);
    const err = await rejection(visitCamera({ id: 'cam-abort', url: rtsp.url('gop4') }, plan, ac.signal));
    expect(err).toBeInstanceOf(VisitAbortedError);
    expect(performance.now() - t).toBeLessThan(1_500);
    expect(liveFfmpegCount()).toBe(0);
    const pre = new AbortController();
    pre.abort();
    await expect(visitCamera({ id: 'cam-abort', url: rtsp.url('gop4') }, plan, pre.signal)).rejects.toBeInstanceOf(VisitAbortedError);
  });

  it('visits run side by side without mixing frames', async () => {
    const paths = ['street-bus', 'street-cars', 'umbrellas'];
    const results = await Promise.all(paths.map((p) => visitCamera({ id: p, url: rtsp.url(p) }, { ...plan, frames: 2, evidence: true })));
    expect(results.map((r) => r.cameraId)).toEqual(paths);
    expect(results.map((r) => r.sourceHeight)).toEqual(paths.map((p) => rtsp.streams.find((s) => s.path === p)!.height));
  });
});
