/**
 * The RTSP test harness (test-fixtures/lib/rtsp-server.ts) against real ffmpeg: every stream and
 * every failure mode, read the way the patrol reads cameras. Lives here rather than beside the
 * harness because the integration project only collects `{models,pipeline,streams,scripts,test}`.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BuiltStream,
  type RtspTestServer,
  type SilentServer,
  buildStreams,
  cocoImage,
  freePort,
  serveStreams,
  startRtspServer,
  startSilentServer,
} from '../../test-fixtures/lib/rtsp-server.ts';

interface ReadResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** Whole frames received. */
  frames: number;
  /** The first frame (rgb24), if any. */
  first: Buffer | null;
  /** The last whole frame, if any. */
  last: Buffer | null;
  /** Spawn to exit. */
  ms: number;
}

interface Reader {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves when `n` whole frames have arrived (never, if they do not). */
  frames(n: number): Promise<void>;
  readonly done: Promise<ReadResult>;
}

/** Reads rgb24 frames with the patrol's low-latency flags; a watchdog kills ffmpeg after `watchdogMs`. */
function read(url: string, opts: { frameBytes?: number; maxFrames?: number; timeoutUs?: number; watchdogMs?: number } = {}): Reader {
  const frameBytes = opts.frameBytes ?? 1;
  const args = ['-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-timeout', String(opts.timeoutUs ?? 5_000_000),
    '-probesize', '32', '-analyzeduration', '0', '-i', url,
    ...(opts.maxFrames ? ['-frames:v', String(opts.maxFrames)] : []), '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'];
  const t0 = performance.now();
  const child = spawn('ffmpeg', args);
  let pending = Buffer.alloc(0);
  let count = 0;
  let first: Buffer | null = null;
  let last: Buffer | null = null;
  const waiters: { n: number; resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= frameBytes) {
      last = pending.subarray(0, frameBytes);
      first ??= last;
      pending = pending.subarray(frameBytes);
      count++;
    }
    for (const w of waiters.filter((w) => count >= w.n)) w.resolve();
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const watchdog = setTimeout(() => child.kill('SIGKILL'), opts.watchdogMs ?? 20_000);
  const done = new Promise<ReadResult>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      resolve({ code, signal, stderr, frames: count, first, last, ms: performance.now() - t0 });
    }),
  );
  return { child, frames: (n) => new Promise((resolve) => (count >= n ? resolve() : waiters.push({ n, resolve }))), done };
}

const frameBytes = (s: BuiltStream): number => s.width * s.height * 3;

/** Mean absolute difference of two equal-length byte buffers (0-255). */
function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

const thumbnail = (image: Sharp): Promise<Buffer> => image.resize(64, 64, { fit: 'fill' }).removeAlpha().raw().toBuffer();

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('RTSP test server', () => {
  let rtsp: RtspTestServer;
  let silent: SilentServer;
  const stream = (path: string): BuiltStream => rtsp.streams.find((s) => s.path === path)!;

  beforeAll(async () => {
    rtsp = await startRtspServer();
    silent = await startSilentServer();
  });
  afterAll(async () => {
    await silent?.close();
    await rtsp?.close();
  });

  it('serves the default cameras', () => {
    expect(rtsp.paths).toEqual(['street-bus', 'street-cars', 'umbrellas', 'crowd', 'gop4', 'motion', 'secure', 'overflowing-bin', 'smoke']);
    expect(stream('street-bus')).toMatchObject({ width: 640, height: 428, fps: 25, gopSeconds: 1 });
    expect(stream('gop4')).toMatchObject({ width: 564, height: 640, gopSeconds: 4 });
    expect(stream('motion')).toMatchObject({ width: 1280, height: 720 });
    expect(rtsp.url('/street-bus')).toBe(`rtsp://127.0.0.1:${rtsp.port}/street-bus`);
    expect(rtsp.url('secure', { user: 'a b', password: 'p@ss:/' })).toBe(`rtsp://a%20b:p%40ss%3A%2F@127.0.0.1:${rtsp.port}/secure`);
  });

  const stills = [
    ['street-bus', '000000000641'],
    ['street-cars', '000000000540'],
    ['umbrellas', '000000000315'],
    ['crowd', '000000000544'],
    ['gop4', '000000000073'],
  ] as const;
  it.concurrent.each(stills)('%s yields a frame of its size showing photo %s', async (path, photo) => {
    const s = stream(path);
    const result = await read(rtsp.url(path), { frameBytes: frameBytes(s), maxFrames: 1 }).done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.frames).toBe(1);
    // Compared as 64x64 thumbnails: the clip drops a row or column to reach even sizes.
    const frame = await thumbnail(sharp(result.first!, { raw: { width: s.width, height: s.height, channels: 3 } }));
    expect(meanAbsDiff(frame, await thumbnail(sharp(cocoImage(photo))))).toBeLessThan(8);
    expect(meanAbsDiff(frame, await thumbnail(sharp(cocoImage('000000000009'))))).toBeGreaterThan(30);
  });

  it('motion: frames differ over time', async () => {
    const s = stream('motion');
    const result = await read(rtsp.url('motion'), { frameBytes: frameBytes(s), maxFrames: 13 }).done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.frames).toBe(13);
    expect(meanAbsDiff(result.first!, result.last!)).toBeGreaterThan(2);
  });

  it('two clients of one mount share its live stream', async () => {
    const s = stream('motion');
    const [a, b] = await Promise.all([0, 300].map(async (delayMs) => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return read(rtsp.url('motion'), { frameBytes: frameBytes(s), maxFrames: 2 }).done;
    }));
    for (const r of [a!, b!]) expect(r.frames, r.stderr).toBe(2);
  });

  it('an unknown path answers 404', async () => {
    const result = await read(rtsp.url('no-such-camera')).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('404');
  });

  it('a port with nothing on it refuses the connection', async () => {
    const result = await read(`rtsp://127.0.0.1:${await freePort()}/street-bus`).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Connection refused');
    expect(result.ms).toBeLessThan(2000);
  });

  describe('the secure mount (digest auth)', () => {
    it('answers 401 without credentials and with wrong ones', async () => {
      const none = await read(rtsp.url('secure')).done;
      const wrong = await read(rtsp.url('secure', { user: rtsp.auth!.user, password: 'wrong' })).done;
      for (const r of [none, wrong]) {
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('401');
      }
    });

    it('yields a 1280x720 frame with the right credentials', async () => {
      const result = await read(rtsp.url('secure', rtsp.auth!), { frameBytes: frameBytes(stream('secure')), maxFrames: 1 }).done;
      expect(result.code, result.stderr).toBe(0);
      expect(result.frames).toBe(1);
    });

    it('leaves the other mounts open', async () => {
      const result = await read(rtsp.url('street-cars'), { maxFrames: 1 }).done;
      expect(result.code, result.stderr).toBe(0);
    });
  });

  it('basic auth works too', async () => {
    const [built] = await buildStreams([{ path: 'cam', source: { kind: 'still', image: cocoImage('000000000641') } }]);
    const server = await serveStreams([built!], { path: 'cam', user: 'u', password: 'pw', method: 'basic' });
    try {
      expect((await read(server.url('cam', { user: 'u', password: 'bad' })).done).stderr).toContain('401');
      const ok = await read(server.url('cam', { user: 'u', password: 'pw' }), { frameBytes: frameBytes(built!), maxFrames: 1 }).done;
      expect(ok.frames, ok.stderr).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('stopStream ends a visit: ffmpeg exits 0 without error text; the path 404s until restarted', async () => {
    const s = stream('umbrellas');
    const reader = read(rtsp.url('umbrellas'), { frameBytes: frameBytes(s) });
    await reader.frames(3);
    const stoppedAt = performance.now();
    await rtsp.stopStream('umbrellas');
    const result = await reader.done;
    expect(performance.now() - stoppedAt).toBeLessThan(1000);
    expect(result.code).toBe(0);
    expect(result.signal).toBeNull();
    expect(result.frames).toBeGreaterThanOrEqual(3);
    // Decoder complaints about joining mid-GOP may appear (rarely); nothing may be said about the ending.
    expect(result.stderr.split('\n').filter((l) => l.trim() && !l.startsWith('[h264 @'))).toEqual([]);
    expect((await read(rtsp.url('umbrellas')).done).stderr).toContain('404');

    await rtsp.restartStream('umbrellas');
    const again = await read(rtsp.url('umbrellas'), { frameBytes: frameBytes(s), maxFrames: 1 }).done;
    expect(again.frames, again.stderr).toBe(1);
  });

  it('stallStream freezes a camera: no frames, and ffmpeg (-timeout 1 s) gives up only after several seconds, exit 0', async () => {
    const s = stream('crowd');
    const reader = read(rtsp.url('crowd'), { frameBytes: frameBytes(s), timeoutUs: 1_000_000, watchdogMs: 30_000 });
    await reader.frames(2);
    await rtsp.stallStream('crowd');
    const stalledAt = performance.now();
    const result = await reader.done;
    const after = performance.now() - stalledAt;
    await rtsp.resumeStream('crowd');
    // Measured: "Connection timed out" ~2.7 s after the stall, exit 0 after ~5 s. A patrol needs its own frame watchdog.
    expect(result.signal, 'killed by the watchdog').toBeNull();
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Connection timed out');
    expect(after).toBeGreaterThan(1000);
    expect(after).toBeLessThan(15_000);
    const again = await read(rtsp.url('crowd'), { frameBytes: frameBytes(s), maxFrames: 1 }).done;
    expect(again.frames, again.stderr).toBe(1);
  });

  it('a server that accepts and never answers: ffmpeg -timeout 1 s fails after ~1 s', async () => {
    const result = await read(silent.url('street-bus'), { timeoutUs: 1_000_000 }).done;
    expect(result.signal, 'killed by the watchdog').toBeNull();
    expect(result.code).not.toBe(0);
    expect(result.ms).toBeGreaterThan(900);
    expect(result.ms).toBeLessThan(3000);
  });

  it('rejects commands for unknown streams', async () => {
    await expect(rtsp.stopStream('nope')).rejects.toThrow(/no stream nope/);
  });
});

describe('RTSP test server lifecycle', () => {
  it('close() ends readers and leaves no process behind; closing twice is safe', async () => {
    const server = await startRtspServer();
    const reader = read(server.url('street-bus'), { maxFrames: 1000 });
    await reader.frames(1);
    await server.close();
    const result = await reader.done;
    expect(result.code).toBe(0);
    expect(isRunning(server.pid)).toBe(false);
    expect(isRunning(reader.child.pid!)).toBe(false);
    await server.close();
    await expect(server.stopStream('street-bus')).rejects.toThrow(/has exited/);
  });

  it('fails to start with the server stderr when a clip is unreadable', async () => {
    const bad = join(tmpdir(), `gridworker-not-a-clip-${process.pid}.mp4`);
    await writeFile(bad, 'not an mp4');
    const clip: BuiltStream = { path: 'broken', file: bad, width: 2, height: 2, fps: 25, gopSeconds: 1, durationSeconds: 1 };
    await expect(serveStreams([clip])).rejects.toThrow(/RTSP test server exited \(code 1\): rtsp_server: .*not-a-clip/);
  });

  it('checks its options before starting anything', async () => {
    await expect(startRtspServer({ streams: [], auth: { path: 'x', user: 'u', password: 'p' } })).rejects.toThrow(/auth path x/);
    const twice = { path: 'a', source: { kind: 'testsrc' } } as const;
    await expect(startRtspServer({ streams: [twice, twice] })).rejects.toThrow(/given twice/);
  });
});
