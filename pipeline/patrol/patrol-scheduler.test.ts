import { describe, expect, it } from 'vitest';
import { PatrolPlanError, UnknownCameraError } from './errors.ts';
import { PatrolScheduler } from './patrol-scheduler.ts';
import type { Priority, SchedulerCamera, SchedulerPlan } from './types.ts';

const S = 1000;
const plan: SchedulerPlan = { targets: { key: 10, normal: 60, low: 120 }, leadFraction: 0 };
const cam = (id: string, priority: Priority = 'normal', areaType = 'street'): SchedulerCamera => ({ id, priority, areaType });

/** Takes everything next() hands out at `now`, completing each at once with `outcome`. */
function drain(s: PatrolScheduler, now: number, outcome: 'ok' | 'failed' = 'ok'): string[] {
  const out: string[] = [];
  for (let id = s.next(now); id !== null; id = s.next(now)) {
    out.push(id);
    s.complete(id, outcome);
  }
  return out;
}

/**
 * Drives the scheduler with `slots` parallel visits of `visitMs` each from 0 to `untilMs` and
 * returns the start times of every camera's visits.
 */
function run(s: PatrolScheduler, slots: number, visitMs: number, untilMs: number): Map<string, number[]> {
  const starts = new Map<string, number[]>();
  const busy: { id: string; end: number }[] = [];
  let now = 0;
  while (now <= untilMs) {
    for (let i = busy.length - 1; i >= 0; i--) if (busy[i]!.end <= now) s.complete(busy.splice(i, 1)[0]!.id, 'ok');
    while (busy.length < slots) {
      const id = s.next(now);
      if (id === null) break;
      busy.push({ id, end: now + visitMs });
      starts.set(id, [...(starts.get(id) ?? []), now]);
    }
    const wake = Math.min(...busy.map((b) => b.end), busy.length < slots ? s.nextDueAt(now) : Number.POSITIVE_INFINITY);
    now = Math.max(now + 1, wake);
  }
  return starts;
}

const gaps = (xs: readonly number[]): number[] => xs.slice(1).map((x, i) => x - xs[i]!);

describe('PatrolScheduler', () => {
  it('serves the earliest deadline first and nothing before it is due', () => {
    const s = new PatrolScheduler([cam('a'), cam('b'), cam('c')], plan, { now: 0 });
    s.restore({ a: 0, b: -30 * S, c: -10 * S });
    expect(s.next(29 * S)).toBeNull();
    expect(drain(s, 100 * S)).toEqual(['b', 'c', 'a']);
    expect(s.next(100 * S)).toBeNull();
    expect(s.nextDueAt(100 * S)).toBe(160 * S);
  });

  it('spreads first visits of never-visited cameras over one target', () => {
    const ids = Array.from({ length: 100 }, (_, i) => `cam-${i}`);
    const s = new PatrolScheduler(ids.map((id) => cam(id)), plan, { now: 0 });
    const firstHalf = drain(s, 30 * S);
    expect(firstHalf.length).toBeGreaterThan(30);
    expect(firstHalf.length).toBeLessThan(70);
    expect(drain(s, 60 * S).length).toBe(100 - firstHalf.length);
  });

  it('serves due key cameras before due normal ones, but a starving camera before both', () => {
    const cams = [cam('n1'), cam('n2'), cam('k1', 'key'), cam('k2', 'key')];
    const s = new PatrolScheduler(cams, plan, { now: 0 });
    s.restore({ n1: 0, n2: 0, k1: 0, k2: 0 });
    expect(drain(s, 70 * S)).toEqual(['k1', 'k2', 'n1', 'n2']);
    // n1 last served at 70 s starves (3 x 60 s) at 250 s; k1 and k2, last at 240 s, are merely due at 250 s.
    s.restore({ n2: 1000 * S, k1: 240 * S, k2: 240 * S });
    expect(drain(s, 260 * S)).toEqual(['n1', 'k1', 'k2']);
  });

  it('keeps key cameras on target under overload and still serves low cameras within the starvation bound', () => {
    const keys = Array.from({ length: 20 }, (_, i) => cam(`k${i}`, 'key'));
    const lows = Array.from({ length: 5 }, (_, i) => cam(`l${i}`, 'low'));
    // Demand: 20 key / 10 s + 5 low / 120 s with 1-s visits on 1 slot = 2.04 x capacity.
    const s = new PatrolScheduler([...keys, ...lows], plan, { now: 0 });
    const starts = run(s, 1, S, 3600 * S);
    const keyVisits = keys.reduce((n, c) => n + (starts.get(c.id)?.length ?? 0), 0);
    expect(keyVisits).toBeGreaterThan(0.9 * 3600); // nearly every slot-second goes to key cameras
    for (const c of lows) {
      const xs = starts.get(c.id) ?? [];
      expect(xs.length).toBeGreaterThanOrEqual(3600 / (3 * 120) - 1);
      expect(Math.max(...gaps(xs))).toBeLessThanOrEqual(3 * 120 * S + 25 * S);
    }
  });

  it('meets targets exactly with ample capacity', () => {
    const s = new PatrolScheduler([cam('k', 'key'), cam('n'), cam('l', 'low')], plan, { now: 0 });
    const starts = run(s, 3, 2 * S, 1000 * S);
    expect(new Set(gaps(starts.get('k')!))).toEqual(new Set([10 * S]));
    expect(new Set(gaps(starts.get('n')!))).toEqual(new Set([60 * S]));
    expect(new Set(gaps(starts.get('l')!))).toEqual(new Set([120 * S]));
  });

  it('makes a camera due leadFraction of its target early', () => {
    const s = new PatrolScheduler([cam('a')], { ...plan, leadFraction: 0.1 }, { now: 0 });
    s.restore({ a: 0 });
    expect(s.next(53 * S)).toBeNull();
    expect(s.nextDueAt(53 * S)).toBe(54 * S);
    expect(s.next(54 * S)).toBe('a');
  });

  it('puts visitNow first, except for a camera in flight, and keeps it pending while paused', () => {
    const s = new PatrolScheduler([cam('a'), cam('b', 'key'), cam('c')], plan, { now: 0 });
    s.restore({ a: 0, b: 0, c: 0 });
    expect(s.visitNow('c')).toBe('queued');
    expect(s.visitNow('c')).toBe('already-queued');
    expect(s.next(S)).toBe('c');
    expect(s.visitNow('c')).toBe('in-flight');
    s.pause();
    expect(s.visitNow('a')).toBe('queued');
    expect(s.next(100 * S)).toBeNull();
    expect(s.nextDueAt(100 * S)).toBe(Number.POSITIVE_INFINITY);
    expect(s.status(100 * S)).toMatchObject({ paused: true, requested: 1, inFlight: 1 });
    s.resume();
    expect(s.next(100 * S)).toBe('a');
    expect(s.next(100 * S)).toBe('b');
    expect(() => s.visitNow('nope')).toThrow(UnknownCameraError);
  });

  it('changes a school camera target when its time window opens and closes', () => {
    const windowed: SchedulerPlan = {
      targets: { key: 120, normal: 900, low: 1800 },
      timezone: 'Asia/Shanghai',
      leadFraction: 0,
      windows: [{ name: 'school-run', areaTypes: ['school'], days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '07:15', end: '08:30', targetS: 60 }],
    };
    const at = (local: string): number => Date.parse(`${local}+08:00`);
    const s = new PatrolScheduler([cam('school', 'normal', 'school'), cam('street')], windowed, { now: at('2026-03-02T07:00:00') });
    s.restore({ school: at('2026-03-02T07:10:00'), street: at('2026-03-02T07:10:00') });
    expect(s.next(at('2026-03-02T07:14:59'))).toBeNull();
    expect(s.nextDueAt(at('2026-03-02T07:14:59'))).toBe(at('2026-03-02T07:15:00'));
    expect(s.next(at('2026-03-02T07:15:00'))).toBe('school');
    expect(s.status(at('2026-03-02T07:15:00')).activeWindows).toEqual(['school-run']);
    s.complete('school', 'ok');
    expect(s.next(at('2026-03-02T07:15:59'))).toBeNull();
    expect(drain(s, at('2026-03-02T07:16:00'))).toEqual(['school']);
    expect(drain(s, at('2026-03-02T07:25:00'))).toEqual(['school', 'street']);
    // After 08:30 the school is back to 900 s: last visit 08:29 -> next due 08:44.
    expect(drain(s, at('2026-03-02T08:29:00'))).toEqual(['school', 'street']);
    expect(drain(s, at('2026-03-02T08:31:00'))).toEqual([]);
    expect(s.nextDueAt(at('2026-03-02T08:31:00'))).toBe(at('2026-03-02T08:44:00'));
  });

  it('holds a quarantined camera until setEligibleAt says so', () => {
    const s = new PatrolScheduler([cam('a'), cam('b')], plan, { now: 0 });
    s.restore({ a: 0, b: 0 });
    s.setEligibleAt('a', 500 * S);
    expect(drain(s, 100 * S)).toEqual(['b']);
    expect(s.status(100 * S).held).toBe(1);
    expect(s.nextDueAt(100 * S)).toBe(160 * S);
    expect(drain(s, 499 * S)).toEqual(['b']);
    expect(drain(s, 500 * S)).toEqual(['a']);
    s.setEligibleAt('b', 10_000 * S);
    s.setEligibleAt('b', 0);
    expect(drain(s, 600 * S)).toEqual(['b', 'a']);
  });

  it('counts a failed visit as an attempt but not as a visit', () => {
    const s = new PatrolScheduler([cam('a')], plan, { now: 0 });
    s.restore({ a: 0 });
    expect(drain(s, 60 * S, 'failed')).toEqual(['a']);
    expect(s.next(100 * S)).toBeNull(); // not retried in a loop
    expect(s.snapshot()).toEqual({ a: 0 });
    expect(s.status(100 * S).overdue).toBe(1);
    expect(drain(s, 120 * S)).toEqual(['a']);
    expect(s.snapshot()).toEqual({ a: 120 * S });
    expect(s.status(120 * S).perPriority[1]).toMatchObject({ priority: 'normal', achievedMedianS: 120, achievedMaxS: 120 });
  });

  it('release returns a lost visit unvisited; a late complete is ignored', () => {
    const s = new PatrolScheduler([cam('a')], plan, { now: 0 });
    s.restore({ a: 0 });
    expect(s.next(60 * S)).toBe('a');
    expect(s.release('a')).toBe(true);
    expect(s.complete('a', 'ok')).toBe(false);
    expect(s.next(61 * S)).toBe('a');
    expect(s.snapshot()).toEqual({ a: 0 });
  });

  it('markInFlight adopts a visit started elsewhere so it is not handed out twice', () => {
    const s = new PatrolScheduler([cam('a'), cam('b')], plan, { now: 100 * S });
    s.restore({ a: 0, b: 0 });
    expect(s.markInFlight('a', 90 * S)).toBe(true);
    expect(s.markInFlight('a')).toBe(false);
    expect(s.markInFlight('zz')).toBe(false);
    expect(drain(s, 100 * S)).toEqual(['b']);
    expect(s.complete('a', 'ok')).toBe(true);
    expect(s.snapshot()).toEqual({ a: 90 * S, b: 100 * S });
  });

  it('updateCameras keeps history of cameras that stay, adds new ones and drops removed ones', () => {
    const s = new PatrolScheduler([cam('a'), cam('b'), cam('c')], plan, { now: 0 });
    s.restore({ a: 0, b: 0, c: 0 });
    expect(drain(s, 60 * S)).toEqual(['a', 'b', 'c']);
    s.restore({ a: 100 * S });
    expect(s.next(130 * S)).toBe('b');
    s.updateCameras([cam('a', 'key'), cam('b'), cam('d')], 150 * S);
    expect(s.complete('b', 'ok')).toBe(true); // in flight across the update
    expect(s.complete('c', 'ok')).toBe(false);
    expect(s.snapshot()).toEqual({ a: 100 * S, b: 130 * S });
    expect(s.next(150 * S)).toBe('a'); // now key: due at 110 s
    expect(s.status(150 * S)).toMatchObject({ cameras: 3, perPriority: [{ cameras: 1 }, { cameras: 2 }, { cameras: 0 }] });
  });

  it('updatePlan retargets without losing history, and rejects bad input with typed errors', () => {
    const s = new PatrolScheduler([cam('a')], plan, { now: 0 });
    s.restore({ a: 0 });
    s.updatePlan({ ...plan, targets: { ...plan.targets, normal: 20 } }, 10 * S);
    expect(s.next(20 * S)).toBe('a');
    expect(() => new PatrolScheduler([cam('a'), cam('a')], plan, { now: 0 })).toThrow(PatrolPlanError);
    expect(() => s.updatePlan({ ...plan, targets: { ...plan.targets, key: 0 } }, 0)).toThrow(/targets.key must be a positive/);
    expect(() => s.updatePlan({ ...plan, starvationFactor: 0.5 }, 0)).toThrow(PatrolPlanError);
  });

  it('skips disabled cameras', () => {
    const s = new PatrolScheduler([cam('a'), { ...cam('b'), enabled: false }], plan, { now: 0 });
    expect(drain(s, 100 * S)).toEqual(['a']);
    expect(s.visitNow('b')).toBe('disabled');
    expect(s.status(100 * S)).toMatchObject({ cameras: 2, enabled: 1 });
  });

  it('decides in well under a millisecond at 10,000 cameras', () => {
    const cams = Array.from({ length: 10_000 }, (_, i) => cam(`cam-${i}`, i % 10 === 0 ? 'key' : 'normal'));
    const s = new PatrolScheduler(cams, { targets: { key: 120, normal: 900, low: 1800 } }, { now: 0 });
    const t0 = performance.now();
    let decisions = 0;
    for (let now = 0; now < 600 * S; now += 50) {
      const id = s.next(now);
      if (id === null) continue;
      decisions++;
      s.complete(id, 'ok');
    }
    const perDecisionMs = (performance.now() - t0) / decisions;
    expect(decisions).toBeGreaterThan(5000);
    expect(perDecisionMs).toBeLessThan(0.1);
  });
});
