import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { PROJECT_ROOT, runGridworker } from '../../test-fixtures/lib/run-cli.ts';
import { canMount, mountTinyFs, type TinyFs } from '../../test-fixtures/lib/tiny-fs.ts';
import { PatrolLeader } from '../distributed/patrol-leader.ts';
import { PatrolStore, type VisitRecord } from '../distributed/patrol-store.ts';
import { PatrolWorker } from '../distributed/patrol-worker.ts';
import { closeRedis, createRedis } from '../distributed/redis-connection.ts';
import { GridworkerMetrics } from '../metrics.ts';
import type { CameraVisitor, VisitAnalysis } from '../visit/camera-visitor.ts';
import { StorageError } from './storage-errors.ts';
import { StorageGuard } from './storage-guard.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** A real 640x427 photo (~60 KiB): three fill a 128 KiB tmpfs. */
const JPEG = readFileSync(join(PROJECT_ROOT, 'test-fixtures', 'coco', 'images', '000000000641.jpg'));

// The storage is the real part under test (a real tmpfs, real Redis and BullMQ); the camera side
// is a stand-in returning a real JPEG as its latest frame. Real cameras are in the patrol e2e test.
class JpegVisitor implements CameraVisitor {
  async visit(cameraId: string): Promise<VisitAnalysis> {
    return { cameraId, ok: true, frames: 2, detections: [[], []], latestJpeg: JPEG, health: { state: 'online' }, eligibleAt: 0 };
  }
}

async function patrolUntil(storageDir: string, guard: StorageGuard, enough: (records: VisitRecord[]) => boolean): Promise<{ records: VisitRecord[]; outcomes: Awaited<ReturnType<PatrolStore['getLastOutcomes']>>; metrics: string }> {
  const prefix = `gwt-storage-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const common = { redisUrl: REDIS_URL, prefix, queueName: 'patrol' };
  const cameras = ['a', 'b', 'c'].map((id) => ({ id, priority: 'key' as const, areaType: 'street' }));
  const worker = new PatrolWorker({ ...common, slots: 1, visitor: new JpegVisitor(), storageDir, visitTimeoutMs: 5000, storage: guard });
  const leader = new PatrolLeader({ ...common, cameras, plan: { targets: { key: 1, normal: 2, low: 4 } }, tickMs: 50, leaseMs: 800 });
  const metrics = new GridworkerMetrics();
  const records: VisitRecord[] = [];
  worker.on('visit', (v) => {
    records.push(v);
    metrics.onVisit(v);
  });
  const conn = createRedis(REDIS_URL, 'producer');
  try {
    worker.start();
    leader.start();
    const end = Date.now() + 15_000;
    while (!enough(records)) {
      if (Date.now() > end) throw new Error(`storage fault never showed; visits: ${JSON.stringify(records.map((r) => r.errorCode ?? 'ok'))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const outcomes = await new PatrolStore(conn, prefix).getLastOutcomes();
    return { records, outcomes, metrics: await metrics.registry.metrics() };
  } finally {
    await leader.close();
    await worker.close();
    const keys = await conn.keys(`${prefix}:*`);
    if (keys.length) await conn.del(...keys);
    await closeRedis(conn);
  }
}

describe.skipIf(!canMount)('storage faults on a real tiny file system (root: mounts a tmpfs)', () => {
  let fs: TinyFs | undefined;
  afterEach(() => {
    fs?.close();
    fs = undefined;
  });

  it('a read-only folder: the probe refuses to start with STORAGE_NOT_WRITABLE naming the folder', async () => {
    fs = mountTinyFs(256);
    fs.readOnly();
    const guard = new StorageGuard(join(fs.dir, 'data'));
    const err = await guard.probe().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe('STORAGE_NOT_WRITABLE');
    expect((err as StorageError).message).toContain(fs.dir);
    expect(guard.status()).toMatchObject({ ok: false, error: { code: 'STORAGE_NOT_WRITABLE' } });
  });

  it('gridworker run refuses to start a worker on a read-only storage folder, naming the folder and the code', async () => {
    fs = mountTinyFs(256);
    const config = join(fs.dir, 'gridworker.yaml');
    writeFileSync(config, `cameras:\n  - { id: cam-1, name: Cam, url: "rtsp://127.0.0.1:1/x", areaType: street, grid: g1 }\nredis: { url: "${REDIS_URL}", prefix: gwt-ro-${Date.now()} }\nstorage: { dir: data }\n`);
    fs.readOnly();
    const run = await runGridworker('run', '--config', config, '--role', 'worker', '--no-progress');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('STORAGE_NOT_WRITABLE');
    expect(run.stderr).toContain(`storage folder ${join(fs.dir, 'data')} is not writable (`);
  });

  it('a disk that fills up: visits fail with STORAGE_FULL in the visit record, the camera record and metrics', async () => {
    fs = mountTinyFs(128);
    const guard = new StorageGuard(fs.dir, { minFreeBytes: 0 });
    await guard.probe();
    const faults: string[] = [];
    guard.on('fault', (e) => faults.push(e.code));
    const { records, outcomes, metrics } = await patrolUntil(fs.dir, guard, (rs) => rs.some((r) => r.errorCode === 'STORAGE_FULL'));
    const full = records.find((r) => r.errorCode === 'STORAGE_FULL')!;
    expect(full.ok).toBe(false);
    expect(full.error).toContain('is full (ENOSPC)');
    expect(faults).toContain('STORAGE_FULL');
    expect(guard.status()).toMatchObject({ ok: false, error: { code: 'STORAGE_FULL' } });
    expect(Object.values(outcomes).some((o) => o.errorCode === 'STORAGE_FULL')).toBe(true);
    expect(metrics).toMatch(/gridworker_visits_total\{outcome="failed",error_code="STORAGE_FULL"\} [1-9]/);
  });

  it('below the free-space floor: new evidence is refused with STORAGE_LOW_SPACE before anything is written', async () => {
    fs = mountTinyFs(256);
    const guard = new StorageGuard(fs.dir, { minFreeBytes: 1024 * 1024 });
    await guard.probe(); // starts (the folder is writable) but records the low space
    expect(guard.status()).toMatchObject({ ok: false, error: { code: 'STORAGE_LOW_SPACE' } });
    const { records } = await patrolUntil(fs.dir, guard, (rs) => rs.length >= 2);
    expect(records.every((r) => r.errorCode === 'STORAGE_LOW_SPACE' && !r.ok && r.evidence === undefined)).toBe(true);
    expect(records[0]!.error).toMatch(/below the floor of 1\.0 MiB/);
  });
});
