import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RtspTestServer, startRtspServer } from '../test-fixtures/lib/rtsp-server.ts';
import { waitFor } from '../test-fixtures/lib/wait-for.ts';
import type { ReadinessReport } from './api/readiness.ts';
import { loadConfig } from './config/load-config.ts';
import { type ScratchDatabase, createScratchDatabase } from './db/scratch-database.ts';
import { type LocalRedis, startLocalRedis } from './distributed/local-redis.ts';
import type { VisitRecord } from './distributed/patrol-store.ts';
import { type Running, startGridworker } from './gridworker-main.ts';

const prefix = 'gwmr';
const ZOO = join(import.meta.dirname, '..', 'models', 'zoo');

/**
 * Models follow the config while the patrol runs: a real RTSP server, ffmpeg, one detector
 * process, Redis and the record. The worker starts with the one model its camera names (not the
 * default model); a reload adds a camera naming a model not loaded yet and one naming a corrupt
 * model file; a second reload drops them again.
 */
describe('a config reload loads the models its cameras name and drops the others, without a restart', () => {
  let rtsp: RtspTestServer;
  let redis: LocalRedis;
  let running: Running;
  let scratch: ScratchDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'gw-model-reload-'));
  const visits: VisitRecord[] = [];
  const configPath = join(dir, 'config.yaml');

  const bins = (): string =>
    `  - { id: lane-bins, name: Lane bins, url: "${rtsp.url('overflowing-bin')}", areaType: residential, grid: g1, priority: key, detectors: [picodet-s-416-garbage] }`;
  const write = (cameras: readonly string[]): void =>
    writeFileSync(
      configPath,
      [
        'cameras:',
        ...cameras,
        'patrol:',
        '  revisitTargets: { key: 5, normal: 30, low: 60 }',
        '  dwell: { frames: 2, spacingMs: 200 }',
        '  detectorProcesses: 1',
        `redis: { url: "${redis.url}", prefix: ${prefix} }`,
        'api: { host: 127.0.0.1, port: 0 }',
        `storage: { dir: "${join(dir, 'data')}" }`,
      ].join('\n'),
    );

  beforeAll(async () => {
    [rtsp, redis, scratch] = await Promise.all([startRtspServer(), startLocalRedis(), createScratchDatabase(undefined, 'modelreload')]);
    // A card whose model file is corrupt: the sha256 check refuses it.
    const bytes = readFileSync(join(ZOO, 'picodet_s_416_fire_smoke.onnx'));
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff;
    writeFileSync(join(dir, 'picodet_s_416_fire_smoke.onnx'), bytes);
    const card = JSON.parse(readFileSync(join(ZOO, 'picodet_s_416_fire_smoke.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'corrupt-card.json'), JSON.stringify({ ...card, id: 'fire-smoke-corrupt' }));
    write([bins()]);
    running = await startGridworker({
      config: await loadConfig(configPath),
      configDir: dir,
      roles: ['scheduler', 'worker', 'api'],
      redisUrl: redis.url,
      databaseUrl: scratch.url,
      env: { GRIDWORKER_ADMIN_PASSWORD: `mr-${Date.now()}-admin-pw` },
    });
    running.worker!.on('visit', (v) => visits.push(v));
  }, 120_000);

  afterAll(async () => {
    await running?.close();
    await Promise.all([rtsp?.close(), redis?.close(), scratch?.drop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const readyz = async (): Promise<ReadinessReport> => (await (await fetch(`${running.api!.url}/readyz`)).json()) as ReadinessReport;
  const ids = (): string[] => running.models!.cards.map((c) => c.id).sort();

  it('starts with only the named model, loads a newly named one on reload (its camera detects with it), fails only the camera naming a corrupt model, and drops models no longer named', async () => {
    // Only what a camera names: the default COCO model is not loaded.
    expect(ids()).toEqual(['picodet-s-416-garbage']);
    await waitFor('a visit of lane-bins', async () => visits.some((v) => v.cameraId === 'lane-bins' && v.ok), 60_000);
    expect((await readyz()).checks.model).toEqual({ ok: true });

    write([
      bins(),
      `  - { id: yard-smoke, name: Yard, url: "${rtsp.url('smoke')}", areaType: other, grid: g1, priority: key, detectors: [picodet-s-416-fire-smoke] }`,
      `  - { id: yard-broken, name: Yard broken model, url: "${rtsp.url('smoke')}", areaType: other, grid: g1, priority: key, detectors: ["${join(dir, 'corrupt-card.json')}"] }`,
    ]);
    const pidsBefore = [...running.models!.pids];
    await running.reload(await loadConfig(configPath));
    // Loaded into the running detector process: the same process, no restart.
    expect(ids()).toEqual(['picodet-s-416-fire-smoke', 'picodet-s-416-garbage']);
    expect(running.models!.pids).toEqual(pidsBefore);
    // The same config again changes nothing: loaded models are kept, not loaded again.
    const again = await running.models!.apply(await loadConfig(configPath));
    expect({ loaded: again.loaded, unloaded: again.unloaded }).toEqual({ loaded: [], unloaded: [] });
    const failed = running.models!.failed;
    expect(failed.map((f) => f.spec)).toEqual([join(dir, 'corrupt-card.json')]);
    expect(failed[0]!.error.name).toBe('ModelIntegrityError');
    const ready = await readyz();
    expect(ready.checks.model!.ok).toBe(false);
    expect(ready.checks.model!.message).toContain('corrupt-card.json');

    const after = visits.length;
    const seen = await waitFor('a smoke detection from the newly loaded model, a failed visit of the broken camera and another of lane-bins', async () => {
      const since = visits.slice(after);
      const smoke = since.find((v) => v.cameraId === 'yard-smoke' && v.ok && v.detections.some((f) => f.some((d) => d.label === 'smoke')));
      const broken = since.find((v) => v.cameraId === 'yard-broken');
      const bin = since.find((v) => v.cameraId === 'lane-bins' && v.ok);
      return smoke && broken && bin && { smoke, broken, bin };
    }, 120_000);
    expect(seen.smoke.model).toBe('picodet-s-416-fire-smoke@1.0.0');
    expect(seen.broken).toMatchObject({ ok: false, errorCode: 'MODEL_UNAVAILABLE', frames: 0 });
    expect(seen.broken.error).toMatch(/camera yard-broken: model ".*corrupt-card\.json" is not loaded: .*sha256/);
    expect(seen.bin.model).toBe('picodet-s-416-garbage@1.0.0');
    // Dropped again: the models no camera names are unloaded, readiness recovers.
    write([bins()]);
    await running.reload(await loadConfig(configPath));
    expect(ids()).toEqual(['picodet-s-416-garbage']);
    // Out of service at once; released from the detector process once the visits holding it are done.
    await waitFor('picodet-s-416-fire-smoke released', async () => !running.models!.set.has('picodet-s-416-fire-smoke'), 60_000);
    expect(running.models!.failed).toEqual([]);
    expect((await readyz()).checks.model).toEqual({ ok: true });
    const last = visits.length;
    await waitFor('lane-bins still visited after the models were dropped', async () => visits.slice(last).some((v) => v.cameraId === 'lane-bins' && v.ok), 60_000);
  }, 300_000);
});
