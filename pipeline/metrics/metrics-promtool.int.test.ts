import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { promtool as runPromtool, sample } from '../../test-fixtures/lib/promtool.ts';
import { PROJECT_ROOT } from '../../test-fixtures/lib/run-cli.ts';
import { CaseStore } from '../cases/case-store.ts';
import { TEST_TYPES, testContext, testEvent } from '../cases/case-test-fixtures.ts';
import { openTestRecord } from '../cases/test-record.ts';
import { PatrolStore } from '../distributed/patrol-store.ts';
import { closeRedis, createRedis } from '../distributed/redis-connection.ts';
import { GridworkerMetrics } from '../metrics.ts';
import { StorageGuard } from '../storage/storage-guard.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MONITORING = join(PROJECT_ROOT, 'docs', 'monitoring');

const promtool = (args: readonly string[], input?: string) => runPromtool(args, input, MONITORING);

describe('metrics exposition and alert rules, checked by promtool (Debian prometheus package)', () => {
  const prefix = `gwt-metrics-${Date.now()}`;
  const redis = createRedis(REDIS_URL, 'producer');
  const storageDir = mkdtempSync(join(tmpdir(), 'gw-metrics-'));
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await closeRedis(redis);
    rmSync(storageDir, { recursive: true, force: true });
  });

  it('every metric the on-call person needs has samples, and promtool check metrics is clean', async () => {
    const store = new PatrolStore(redis, prefix);
    const now = Date.now();
    const health = (cameraId: string, state: string) => ({ cameraId, state, consecutiveFailures: 0, backoffMs: 0, visits: 1, failures: 0 });
    await store.setHealth('cam-a', health('cam-a', 'online'));
    await store.setHealth('cam-b', health('cam-b', 'offline'));
    const perPriority = [
      { priority: 'key', cameras: 2, targetS: 60, achievedMedianS: 40, achievedP95S: 55, achievedMaxS: 70, stalestS: 30 },
      { priority: 'normal', cameras: 1, targetS: 300, achievedMedianS: null, achievedP95S: null, achievedMaxS: null, stalestS: 10 },
      { priority: 'low', cameras: 0, targetS: 900, achievedMedianS: null, achievedP95S: null, achievedMaxS: null, stalestS: null },
    ] as const;
    const scheduler = { paused: false, cameras: 3, enabled: 3, due: 1, overdue: 1, inFlight: 1, held: 1, requested: 0, activeWindows: [], perPriority };
    await store.publishStatus({ leader: 'host-1:42:abcd', at: now - 2000, state: 'running', capacity: 4, workers: 2, scheduler }, 60_000);
    const rec = await openTestRecord('postgres');
    onTestFinished(() => rec.close());
    const cases = new CaseStore(rec.handle.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id), now: () => now - 3_600_000 });
    await cases.openOrUpdate(testEvent({ at: now - 3_600_000 }), testContext());

    const metrics = new GridworkerMetrics();
    const guard = new StorageGuard(storageDir, { minFreeBytes: 0 });
    await guard.probe();
    metrics.observeStorage(guard);
    metrics.observePatrol(store, () => ['cam-a', 'cam-b', 'cam-c']);
    metrics.observeCases(cases);
    metrics.onVisit({ cameraId: 'cam-a', jobId: '1', workerId: 'w', ok: true, startedAt: now - 1500, finishedAt: now, frames: 2, firstFrameMs: 700, detections: [[{ label: 'car', classId: 2, score: 0.9, box: [0, 0, 1, 1] }]] });
    metrics.onVisit({ cameraId: 'cam-b', jobId: '2', workerId: 'w', ok: false, startedAt: now - 3000, finishedAt: now, frames: 0, errorCode: 'CAMERA_REFUSED', error: 'refused', detections: [] });
    metrics.onFrame({ model: 'picodet-s-416-coco@1', preprocessMs: 4, inferenceMs: 35 });
    metrics.onCase('opened', 'illegal_parking');

    const text = await metrics.registry.metrics();
    const check = promtool(['check', 'metrics'], text);
    expect(check.out).toBe('');
    expect(check.code).toBe(0);

    expect(sample(text, 'gridworker_cameras{health="online"}')).toBe(1);
    expect(sample(text, 'gridworker_cameras{health="offline"}')).toBe(1);
    expect(sample(text, 'gridworker_cameras{health="unknown"}')).toBe(1);
    expect(sample(text, 'gridworker_visits_total{outcome="failed",error_code="CAMERA_REFUSED"}')).toBe(1);
    expect(sample(text, 'gridworker_visit_duration_seconds_count')).toBe(2);
    expect(sample(text, 'gridworker_first_frame_seconds_count')).toBe(1);
    expect(sample(text, 'gridworker_inference_seconds_count{model="picodet-s-416-coco@1"}')).toBe(1);
    expect(sample(text, 'gridworker_preprocess_seconds_count{model="picodet-s-416-coco@1"}')).toBe(1);
    expect(sample(text, 'gridworker_frames_analysed_total{model="picodet-s-416-coco@1"}')).toBe(1);
    expect(sample(text, 'gridworker_events_confirmed_total{event_type="illegal_parking"}')).toBe(1);
    expect(sample(text, 'gridworker_cases{status="opened"}')).toBe(1);
    expect(sample(text, 'gridworker_cases_overdue')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'gridworker_dispatch_backlog')).toBe(1);
    expect(sample(text, 'gridworker_dispatch_oldest_undelivered_age_seconds')).toBeGreaterThanOrEqual(3590);
    expect(sample(text, 'gridworker_patrol_cameras{state="overdue"}')).toBe(1);
    expect(sample(text, 'gridworker_patrol_revisit_p95_seconds{priority="key"}')).toBe(55);
    expect(sample(text, 'gridworker_patrol_revisit_target_seconds{priority="key"}')).toBe(60);
    expect(sample(text, 'gridworker_patrol_leader_info{leader="host-1:42:abcd",state="running"}')).toBe(1);
    expect(sample(text, 'gridworker_patrol_running')).toBe(1);
    expect(sample(text, 'gridworker_storage_ok')).toBe(1);
    expect(sample(text, 'gridworker_storage_free_bytes')).toBeGreaterThan(0);
    expect(text).toMatch(/^gridworker_nodejs_eventloop_lag_seconds \d/m);
    expect(text).not.toMatch(/^# TYPE \S+_total gauge/m);
  });

  it('the same exposition breaks promtool when a gauge is named _total (the check can fail)', () => {
    const bad = '# HELP x_total a gauge\n# TYPE x_total gauge\nx_total 1\n';
    expect(promtool(['check', 'metrics'], bad).out).toMatch(/x_total/);
  });

  it('the alert rules load and fire on the series that should raise them', () => {
    const check = promtool(['check', 'rules', 'gridworker-alerts.yml']);
    expect(check.code, check.out).toBe(0);
    expect(check.out).toContain('SUCCESS: 5 rules found');
    const test = promtool(['test', 'rules', 'gridworker-alerts.test.yml']);
    expect(test.code, test.out).toBe(0);
  });

  it('the Grafana dashboard is JSON whose queries only name metrics this process exports', async () => {
    const dashboard = JSON.parse(execFileSync('cat', [join(MONITORING, 'grafana-dashboard.json')], { encoding: 'utf8' })) as { panels: { targets?: { expr: string }[] }[] };
    const all = new GridworkerMetrics();
    all.observePatrol({ readStatus: async () => null, getAllHealth: async () => ({}) }, () => []);
    all.observeCases({ caseGauges: async () => ({ byStatus: {}, overdue: 0, outboxBacklog: 0, oldestUnsentAt: null }) });
    all.observeStorage(new StorageGuard(storageDir));
    const names = new Set((await all.registry.getMetricsAsJSON()).map((m) => m.name));
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    expect(exprs.length).toBeGreaterThan(8);
    for (const expr of exprs) {
      for (const m of expr.match(/gridworker_[a-z0-9_]+/g) ?? []) {
        const base = m.replace(/_(bucket|count|sum)$/, '');
        expect(names.has(m) || names.has(base), `${m} in "${expr}"`).toBe(true);
      }
    }
  });
});
