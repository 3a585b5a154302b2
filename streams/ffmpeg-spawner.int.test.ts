import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { getPriority } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RtspTestServer, startRtspServer } from '../test-fixtures/lib/rtsp-server.ts';
import { CameraError } from './errors.ts';
import { liveFfmpegCount } from './ffmpeg-registry.ts';
import { closeSharedSpawner, sharedSpawner } from './ffmpeg-spawner.ts';
import { prepareFfmpeg, visitCamera } from './visit.ts';
import type { VisitOptions, VisitPlan } from './visit-plan.ts';

const plan: VisitPlan = { frames: 2, spacingMs: 200, outWidth: 320, outHeight: 240, evidence: true, timeouts: { connectMs: 8_000, firstFrameMs: 8_000, visitMs: 15_000 } };
/** A visit that lasts (40 frames 100 ms apart: about 4 s after the first frame). */
const longPlan: VisitPlan = { ...plan, frames: 40, spacingMs: 100, evidence: false };

/** Parent pid of a process, or undefined when it is gone (a zombie counts as gone). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const m = /^\d+ \(.*\) (\S) (\d+)/.exec(stat);
    return m && m[1] !== 'Z' ? Number(m[2]) : undefined;
  } catch {
    return undefined;
  }
}

/** Waits (polling /proc) until none of `pids` runs; resolves with those still running after `ms`. */
async function gone(pids: readonly number[], ms: number): Promise<number[]> {
  const until = Date.now() + ms;
  for (;;) {
    const alive = pids.filter((p) => parentOf(p) !== undefined);
    if (alive.length === 0 || Date.now() > until) return alive;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ffmpeg started by the spawner process', () => {
  let rtsp: RtspTestServer;
  beforeAll(async () => {
    [rtsp] = await Promise.all([startRtspServer(), prepareFfmpeg()]);
  });
  afterAll(async () => {
    await closeSharedSpawner();
    await rtsp?.close();
    expect(liveFfmpegCount()).toBe(0);
  });

  it('ffmpeg is the spawner\'s child, not this process\'s, and its frames and evidence come through', async () => {
    let parent: number | undefined;
    const r = await visitCamera({ id: 'cam-s', url: rtsp.url('street-bus') }, plan, undefined, { onSpawn: (pid) => (parent = parentOf(pid)) });
    expect(r.frames).toHaveLength(2);
    expect(r.frames[0]!.data.length).toBe(320 * 240 * 3);
    expect(r.evidence?.jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(parent).toBe(sharedSpawner().pid);
    expect(parent).not.toBe(process.pid);
    // The comparison path forks from this process.
    let own: number | undefined;
    await visitCamera({ id: 'cam-s', url: rtsp.url('street-bus') }, plan, undefined, { spawnFrom: 'self', onSpawn: (pid) => (own = parentOf(pid)) });
    expect(own).toBe(process.pid);
  });

  it('ffmpeg runs `nice` below this process on both paths, and at its priority with nice 0', async () => {
    const niceOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    const own = getPriority();
    const seen: Record<string, number> = {};
    const visit = (key: string, options: VisitOptions): Promise<unknown> =>
      visitCamera({ id: 'cam-s', url: rtsp.url('street-bus') }, plan, undefined, { ...options, onSpawn: (pid) => (seen[key] = niceOf(pid)) });
    await visit('spawner', { nice: 7 });
    await visit('self', { nice: 7, spawnFrom: 'self' });
    await visit('none', { nice: 0 });
    expect(seen).toEqual({ spawner: Math.min(19, own + 7), self: Math.min(19, own + 7), none: own });
  });

  it('a connection to the socket without the spawner\'s token is dropped, and the visit in flight keeps its own frames', async () => {
    let spawned!: () => void;
    const running = new Promise<void>((r) => (spawned = r));
    const visit = visitCamera({ id: 'cam-t', url: rtsp.url('street-bus') }, { ...plan, frames: 3 }, undefined, { onSpawn: () => spawned() });
    await running;
    const path = await sharedSpawner().socketPath();
    expect(path.startsWith('\0')).toBe(true); // abstract namespace: nothing on disk
    // Every run id this spawner may have handed out, as stdout, with a wrong token and a fake frame.
    const intruders = Array.from({ length: 20 }, (_, i) => {
      const s = createConnection(path);
      s.on('error', () => {});
      s.write(`${i + 1} out ${'0'.repeat(32)}\n`);
      s.write(Buffer.alloc(320 * 240 * 3, 7));
      return new Promise<void>((r) => s.once('close', () => r()));
    });
    await Promise.all(intruders); // the server closed every one
    const r = await visit;
    expect(r.frames).toHaveLength(3);
    for (const f of r.frames) expect(f.data.every((b) => b === 7)).toBe(false);
  });

  it('the spawner killed mid-visit: the visit fails with a camera error, its ffmpeg is gone, the next visit starts a new spawner', async () => {
    let ffmpegPid: number | undefined;
    const first = sharedSpawner().pid;
    const visit = visitCamera({ id: 'cam-k', url: rtsp.url('crowd') }, longPlan, undefined, {
      onSpawn: (pid) => {
        ffmpegPid = pid;
        process.kill(parentOf(pid)!, 'SIGKILL');
      },
    });
    const err = await visit.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CameraError);
    expect(await gone([ffmpegPid!], 3_000)).toEqual([]);
    expect(liveFfmpegCount()).toBe(0);
    const r = await visitCamera({ id: 'cam-k', url: rtsp.url('street-bus') }, plan);
    expect(r.frames).toHaveLength(2);
    expect(sharedSpawner().pid).toBeDefined();
    expect(sharedSpawner().pid).not.toBe(first);
  });

  it('closing the spawner ends the visits in flight and their ffmpeg; a later visit starts a new one', async () => {
    let ffmpegPid: number | undefined;
    let spawned!: () => void;
    const running = new Promise<void>((r) => (spawned = r));
    const visit = visitCamera({ id: 'cam-c', url: rtsp.url('crowd') }, longPlan, undefined, {
      onSpawn: (pid) => {
        ffmpegPid = pid;
        spawned();
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await running;
    const spawnerPid = sharedSpawner().pid!;
    await closeSharedSpawner();
    expect(await visit).toBeInstanceOf(CameraError);
    expect(await gone([ffmpegPid!, spawnerPid], 3_000)).toEqual([]);
    const r = await visitCamera({ id: 'cam-c', url: rtsp.url('street-bus') }, plan);
    expect(r.frames).toHaveLength(2);
  });

  it('a patrol process killed with SIGKILL leaves neither the spawner nor its ffmpeg behind', async () => {
    // A separate Node process visits a long stream and, once ffmpeg runs, prints the pids and is killed.
    const code = [
      "import { visitCamera } from './streams/visit.ts';",
      "import { sharedSpawner } from './streams/ffmpeg-spawner.ts';",
      `void visitCamera({ id: 'cam-x', url: ${JSON.stringify(rtsp.url('crowd'))} }, ${JSON.stringify(longPlan)}, undefined, {`,
      '  onSpawn: (pid) => { process.stdout.write(JSON.stringify({ ffmpeg: pid, spawner: sharedSpawner().pid }) + "\\n"); },',
      '});',
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: new URL('..', import.meta.url), stdio: ['ignore', 'pipe', 'inherit'] });
    const pids = await new Promise<{ ffmpeg: number; spawner: number }>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('\n')) resolve(JSON.parse(out) as { ffmpeg: number; spawner: number });
      });
      child.once('exit', (c) => reject(new Error(`the patrol process exited (${c}) before ffmpeg ran`)));
    });
    expect(parentOf(pids.ffmpeg)).toBe(pids.spawner);
    child.kill('SIGKILL');
    expect(await gone([pids.ffmpeg, pids.spawner], 5_000)).toEqual([]);
  });
});
