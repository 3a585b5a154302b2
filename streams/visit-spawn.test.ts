import ffmpeg from 'fluent-ffmpeg';
import { afterAll, describe, expect, it } from 'vitest';
import { CameraConfigError, FfmpegUnavailableError, VisitAbortedError } from './errors.ts';
import { liveFfmpegCount } from './ffmpeg-registry.ts';
import { visitCamera } from './visit.ts';
import type { VisitPlan } from './visit-plan.ts';

// Visits that fail before any stream is touched; no RTSP server needed. fluent-ffmpeg's binary path
// is module state, and vitest gives each test file its own modules.
const plan: VisitPlan = { frames: 1, spacingMs: 0, outWidth: 64, outHeight: 64, evidence: true, timeouts: { connectMs: 1000, firstFrameMs: 2000, visitMs: 3000 } };

describe('visitCamera before the stream', () => {
  afterAll(() => {
    expect(liveFfmpegCount()).toBe(0);
  });

  it('rejects a bad plan with a RangeError', async () => {
    await expect(visitCamera({ id: 'c', url: 'rtsp://h/x' }, { ...plan, frames: 0 })).rejects.toThrow(RangeError);
  });

  it('an already aborted signal -> VisitAbortedError, nothing spawned', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(visitCamera({ id: 'c', url: 'rtsp://h/x' }, plan, ac.signal)).rejects.toBeInstanceOf(VisitAbortedError);
  });

  it('credentials for a URL without scheme -> CameraConfigError without the password', async () => {
    const err = await visitCamera({ id: 'c', url: '10.0.0.5/live', username: 'u', password: 'topsecret' }, plan).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CameraConfigError);
    expect(JSON.stringify(err) + String(err)).not.toContain('topsecret');
  });

  it('ffmpeg missing -> FfmpegUnavailableError (a local failure, not held against the camera)', async () => {
    ffmpeg.setFfmpegPath('/nonexistent/ffmpeg');
    const err = await visitCamera({ id: 'cam-9', url: 'rtsp://admin:pw123@10.0.0.5/live' }, plan).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegUnavailableError);
    expect((err as FfmpegUnavailableError).failure).toBe('local');
    expect(String(err)).toBe('FfmpegUnavailableError: camera cam-9 (rtsp://***:***@10.0.0.5/live): ffmpeg could not be started');
  });
});
