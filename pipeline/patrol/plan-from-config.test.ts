import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.ts';
import { PatrolScheduler } from './patrol-scheduler.ts';
import { schedulerCameras, schedulerPlan } from './plan-from-config.ts';

const demo = join(import.meta.dirname, '..', '..', 'test-fixtures', 'configs', 'demo.yaml');

describe('plan-from-config', () => {
  it('drives a scheduler from the demo config: key cameras first, school window on weekday mornings', async () => {
    const config = await loadConfig(demo, { env: { RTSP_PORT: '8554', CLOSED_PORT: '1' } });
    const plan = schedulerPlan({ patrol: { ...config.patrol, timezone: 'UTC' } });
    expect(plan.targets).toEqual({ key: 20, normal: 45, low: 90 });
    expect(plan.areaTargets).toEqual({ market: { normal: 30 } });
    const cameras = schedulerCameras(config);
    const monday0700 = Date.parse('2026-03-02T07:00:00Z');
    const s = new PatrolScheduler(cameras, plan, { now: monday0700 });
    s.restore(Object.fromEntries(cameras.map((c) => [c.id, monday0700 - 3600_000])));
    const order: string[] = [];
    for (let id = s.next(monday0700); id !== null; id = s.next(monday0700)) order.push(id);
    expect(order.slice(0, 3).sort()).toEqual(['hospital-entrance', 'school-gate', 'transit-hub-bus']);
    expect(order).toHaveLength(cameras.length);
    expect(s.status(Date.parse('2026-03-02T07:20:00Z')).activeWindows).toEqual(['school-run-morning']);
  });
});
