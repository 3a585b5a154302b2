import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RtspTestServer, type SilentServer, freePort, startRtspServer, startSilentServer } from '../test-fixtures/lib/rtsp-server.ts';
import { type LocalRedis, startLocalRedis } from './distributed/local-redis.ts';
import { PatrolStore, type VisitRecord } from './distributed/patrol-store.ts';
import { closeRedis, createRedis } from './distributed/redis-connection.ts';
import { createScratchDatabase, type ScratchDatabase } from './db/scratch-database.ts';
import { waitFor } from '../test-fixtures/lib/wait-for.ts';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'scripts', 'gridworker.mjs');
const prefix = 'gwe2e';

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  out: string;
}

// Split roles share the record: a scratch PostgreSQL database for this file (set in beforeAll).
const extraEnv: Record<string, string> = {};

function start(name: string, args: string[]): Proc {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...extraEnv, LOG_LEVEL: 'warn' } });
  const p: Proc = { name, child, out: '' };
  child.stdout?.on('data', (d: Buffer) => (p.out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (p.out += d.toString()));
  return p;
}

const exited = (p: Proc): Promise<void> => (p.child.exitCode !== null || p.child.signalCode !== null ? Promise.resolve() : new Promise((r) => p.child.once('exit', () => r())));


/** ffmpeg processes reading from the test server's port (leaks would show up here). */
const ffmpegsOn = (port: number): string[] => {
  try {
    return execFileSync('pgrep', ['-af', `ffmpeg.*127.0.0.1:${port}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

describe('the patrol end to end: real RTSP cameras, two worker processes, scheduler failover', () => {
  let rtsp: RtspTestServer;
  let silent: SilentServer;
  let redis: LocalRedis;
  let scratch: ScratchDatabase | undefined;
  let store: PatrolStore;
  let conn: ReturnType<typeof createRedis>;
  const dir = mkdtempSync(join(tmpdir(), 'gw-e2e-'));
  const procs: Proc[] = [];
  let apiPort = 0;

  beforeAll(async () => {
    [rtsp, silent, redis, scratch] = await Promise.all([startRtspServer(), startSilentServer(), startLocalRedis(), createScratchDatabase(undefined, 'patrol')]);
    extraEnv.DATABASE_URL = scratch.url;
    extraEnv.GRIDWORKER_ADMIN_PASSWORD = `e2e-${Date.now()}-admin`;
    const closed = await freePort();
    apiPort = await freePort();
    const auth = rtsp.auth!;
    const cams = [
      ['bus', 'street-bus', 'transport_hub', 'key'],
      ['crowd', 'crowd', 'school', 'key'],
      ['cars', 'street-cars', 'hospital', 'normal'],
      ['gop4', 'gop4', 'street', 'normal'],
      ['umbrellas', 'umbrellas', 'market', 'normal'],
    ].map(([id, path, area, prio]) => `  - { id: ${id}, name: ${id}, url: "${rtsp.url(path!)}", areaType: ${area}, grid: g1, priority: ${prio} }`);
    const config = [
      'cameras:',
      ...cams,
      `  - { id: secure, name: secure, url: "${rtsp.url(auth.path)}", username: "${auth.user}", password: "${auth.password}", areaType: urban_village, grid: g2 }`,
      `  - { id: wrong-pass, name: wrong-pass, url: "${rtsp.url(auth.path)}", username: "${auth.user}", password: "not-it", areaType: urban_village, grid: g2 }`,
      `  - { id: wrong-path, name: wrong-path, url: "${rtsp.url('no-such-path')}", areaType: street, grid: g2 }`,
      `  - { id: closed-port, name: closed-port, url: "rtsp://127.0.0.1:${closed}/x", areaType: street, grid: g2 }`,
      `  - { id: silent, name: silent, url: "${silent.url('live')}", areaType: street, grid: g2 }`,
      'patrol:',
      '  revisitTargets: { key: 6, normal: 10, low: 20 }',
      '  dwell: { frames: 2, spacingMs: 200 }',
      '  visitsInFlightPerWorker: 2',
      // Two worker processes share this machine's cores: one detector process each (the pool
      // still runs out of process), so start-up does not starve the cameras' 2 s connect timeout.
      '  detectorProcesses: 1',
      '  timeouts: { connectMs: 2000, firstFrameMs: 7000, visitMs: 10000 }',
      '  quarantine: { failuresBeforeQuarantine: 2, baseBackoffS: 30, maxBackoffS: 60 }',
      'models: { default: fastestdet-352-coco }',
      `redis: { url: "${redis.url}", prefix: ${prefix} }`,
      // Four processes on one host: each metrics endpoint on a free port.
      `api: { host: 127.0.0.1, port: ${apiPort}, metricsPort: 0 }`,
      `storage: { dir: "${join(dir, 'data')}" }`,
    ].join('\n');
    writeFileSync(join(dir, 'config.yaml'), config);
    conn = createRedis(redis.url, 'producer');
    store = new PatrolStore(conn, prefix);
  }, 120_000);

  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await closeRedis(conn);
    await Promise.all([rtsp?.close(), silent?.close(), redis?.close(), scratch?.drop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('patrols, tracks health, survives losing the scheduler and a worker, and leaks no ffmpeg', async () => {
    const cfg = ['--config', join(dir, 'config.yaml'), '--no-progress'];
    const leaderA = start('scheduler-a', ['run', ...cfg, '--role', 'scheduler,api']);
    const leaderB = start('scheduler-b', ['run', ...cfg, '--role', 'scheduler']);
    const workers = [start('worker-1', ['run', ...cfg, '--role', 'worker']), start('worker-2', ['run', ...cfg, '--role', 'worker'])];
    procs.push(leaderA, leaderB, ...workers);

    // Every reachable camera gets visited successfully, by both worker processes between them.
    const good = ['bus', 'crowd', 'cars', 'gop4', 'umbrellas', 'secure'];
    const visits = async (id: string): Promise<VisitRecord[]> => store.recentVisits(id, 50);
    await waitFor('every good camera visited', async () => (await Promise.all(good.map(async (id) => (await visits(id)).some((v) => v.ok)))).every(Boolean), 90_000);
    // Both worker processes take part (which one gets which camera is up to the queue).
    const okVisits = await waitFor(
      'successful visits by both workers',
      async () => {
        const ok = (await Promise.all(good.map(visits))).flat().filter((v) => v.ok);
        return new Set(ok.map((v) => v.workerId)).size === 2 && ok;
      },
      60_000,
    );
    for (const v of okVisits) {
      expect(v.frames).toBe(2);
      expect(v.model).toBe('fastestdet-352-coco@1.0.0');
    }
    expect((await visits('bus')).find((v) => v.ok)!.detections.flat().some((d) => d.label === 'bus')).toBe(true);

    // Failing cameras: the right typed error, health degraded then offline (quarantined), no secret anywhere.
    const expected: Record<string, string> = { 'wrong-path': 'CAMERA_NOT_FOUND', 'closed-port': 'CAMERA_REFUSED', 'wrong-pass': 'CAMERA_AUTH_FAILED', silent: 'CAMERA_TIMEOUT' };
    await waitFor(
      'failing cameras offline',
      async () => {
        const health = await store.getAllHealth();
        return Object.keys(expected).every((id) => health[id]?.state === 'offline') && health;
      },
      90_000,
    );
    const health = await store.getAllHealth();
    for (const [id, code] of Object.entries(expected)) {
      expect(health[id]?.lastError?.code, id).toBe(code);
      expect(health[id]?.quarantinedUntil ?? 0).toBeGreaterThan(Date.now());
    }
    for (const id of good) expect(health[id]?.state, id).toBe('online');

    const api = `http://127.0.0.1:${apiPort}`;
    // A read-only service token, made the way an operator would (printed once on stdout).
    const token = execFileSync(process.execPath, [bin, 'tokens', 'create', 'e2e-viewer', '--role', 'viewer', '--config', join(dir, 'config.yaml')], { cwd: root, env: { ...process.env, ...extraEnv }, encoding: 'utf8' }).trim();
    const auth = { headers: { authorization: `Bearer ${token}` } };
    expect((await fetch(`${api}/api/cameras`)).status).toBe(401);
    const cameras = await (await fetch(`${api}/api/cameras`, auth)).text();
    expect(cameras).not.toContain(rtsp.auth!.password);
    expect(cameras).not.toContain(encodeURIComponent(rtsp.auth!.password));
    expect(cameras).not.toContain('not-it');
    const status = (await (await fetch(`${api}/api/patrol/status`, auth)).json()) as { state: string; workers: number; scheduler: { inFlight: number } };
    expect(status).toMatchObject({ state: 'running', workers: 2 });
    const jpeg = await fetch(`${api}/api/cameras/bus/latest.jpg`, auth);
    expect(jpeg.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await jpeg.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));

    // Kill the scheduler that leads (no clean shutdown): the other takes over and visits go on.
    const leaderKey = `${prefix}:leader`;
    const leaderToken = await conn.get(leaderKey);
    expect(leaderToken).toBeTruthy();
    const leaderPid = Number(leaderToken!.split(':')[1]);
    const dead = [leaderA, leaderB].find((p) => p.child.pid === leaderPid)!;
    dead.child.kill('SIGKILL');
    await exited(dead);
    const before = Date.now();
    await waitFor('a new leader', async () => {
      const t = await conn.get(leaderKey);
      return t !== null && t !== leaderToken;
    }, 15_000);
    await waitFor('visits after failover', async () => (await Promise.all(good.map(visits))).flat().some((v) => v.ok && v.startedAt > before), 30_000);

    // Kill a worker in the middle of a visit: its job is retried by the other worker.
    const queue = new Queue('patrol', { connection: { url: redis.url, maxRetriesPerRequest: null }, prefix });
    try {
      const victim = workers[0]!;
      const active = await waitFor('an active job on worker-1', async () => {
        const jobs = await queue.getJobs(['active']);
        const visiting = await Promise.all(
          jobs.map(async (j) => ({ j, lock: await conn.get(`${prefix}:lock:${j.data.cameraId}`) })),
        );
        return visiting.find((x) => x.lock?.includes(`:${victim.child.pid}:`))?.j;
      }, 30_000);
      victim.child.kill('SIGKILL');
      await exited(victim);
      const retried = await waitFor('the dead worker\'s job finished by the other worker', async () => {
        const j = await queue.getJob(active.id!);
        return j && (await j.isCompleted()) && j;
      }, 60_000);
      const result = retried.returnvalue;
      expect(result.cameraId).toBe(active.data.cameraId);
      const after = await visits(active.data.cameraId);
      expect(after.some((v) => v.jobId === active.id && !v.workerId.includes(`:${victim.child.pid}:`))).toBe(true);
    } finally {
      await queue.close();
    }

    // Clean stop of the rest: every process exits, and no ffmpeg is left reading the cameras.
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await Promise.all(procs.map(exited));
    for (const p of procs.filter((x) => x !== dead && x !== workers[0])) expect(p.child.exitCode, `${p.name}: ${p.out.slice(-500)}`).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(ffmpegsOn(rtsp.port)).toEqual([]);
    expect(ffmpegsOn(silent.port)).toEqual([]);
  }, 300_000);
});
