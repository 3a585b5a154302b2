import { describe, expect, it } from 'vitest';
import { CameraHealth, type CameraHealthState, type HealthPolicy } from './camera-health.ts';
import type { FailureKind } from './errors.ts';

const S = 1000;
const policy: Partial<HealthPolicy> = { offlineAfter: 3, baseBackoffMs: 10 * S, maxBackoffMs: 300 * S, backoffFactor: 2, configBackoffFactor: 4, jitter: 0 };

type Event = { at: number; ok: true } | { at: number; ok: false; kind?: FailureKind; code?: string };
interface Step {
  readonly event: Event;
  readonly state: CameraHealthState;
  readonly failures: number;
  /** eligibleAt(event.at): when it may be visited next. */
  readonly eligible: number;
}

const ok = (at: number): Event => ({ at, ok: true });
const fail = (at: number, kind: FailureKind = 'transient', code = 'CAMERA_REFUSED'): Event => ({ at, ok: false, kind, code });

function play(steps: readonly Step[], p: Partial<HealthPolicy> = policy): void {
  const h = new CameraHealth('cam-1', p);
  steps.forEach((step, i) => {
    const e = step.event;
    if (e.ok) h.recordSuccess(e.at);
    else h.recordFailure({ code: e.code ?? 'X', message: `camera cam-1 (rtsp://***:***@h/x): ${e.code ?? 'X'}`, failure: e.kind ?? 'transient' }, e.at);
    const snap = h.snapshot();
    expect([i, snap.state, snap.consecutiveFailures, h.eligibleAt(e.at)]).toEqual([i, step.state, step.failures, step.eligible]);
  });
}

describe('CameraHealth', () => {
  it('starts unknown and eligible', () => {
    const h = new CameraHealth('cam-1', policy);
    expect(h.current).toBe('unknown');
    expect(h.isEligible(0)).toBe(true);
    expect(h.snapshot()).toMatchObject({ cameraId: 'cam-1', state: 'unknown', visits: 0, quarantinedUntil: undefined });
  });

  it('transient failures: degraded, then offline with a doubling quarantine capped at the max, then back online', () => {
    play([
      { event: ok(0), state: 'online', failures: 0, eligible: 0 },
      { event: fail(60 * S), state: 'degraded', failures: 1, eligible: 60 * S },
      { event: fail(120 * S), state: 'degraded', failures: 2, eligible: 120 * S },
      { event: fail(180 * S), state: 'offline', failures: 3, eligible: 190 * S },
      { event: fail(190 * S), state: 'offline', failures: 4, eligible: 210 * S },
      { event: fail(210 * S), state: 'offline', failures: 5, eligible: 250 * S },
      { event: fail(250 * S), state: 'offline', failures: 6, eligible: 330 * S },
      { event: fail(330 * S), state: 'offline', failures: 7, eligible: 490 * S },
      { event: fail(490 * S), state: 'offline', failures: 8, eligible: 790 * S },
      { event: fail(790 * S), state: 'offline', failures: 9, eligible: 1090 * S },
      // A success at any time (a visit forced from the API) resets everything.
      { event: ok(800 * S), state: 'online', failures: 0, eligible: 800 * S },
      { event: fail(860 * S), state: 'degraded', failures: 1, eligible: 860 * S },
    ]);
  });

  it('configuration errors (auth, 404) reach the maximum quarantine sooner', () => {
    play([
      { event: fail(0, 'config', 'CAMERA_AUTH_FAILED'), state: 'degraded', failures: 1, eligible: 0 },
      { event: fail(1 * S, 'config', 'CAMERA_AUTH_FAILED'), state: 'degraded', failures: 2, eligible: 1 * S },
      { event: fail(2 * S, 'config', 'CAMERA_AUTH_FAILED'), state: 'offline', failures: 3, eligible: 12 * S },
      { event: fail(12 * S, 'config', 'CAMERA_AUTH_FAILED'), state: 'offline', failures: 4, eligible: 52 * S },
      { event: fail(52 * S, 'config', 'CAMERA_AUTH_FAILED'), state: 'offline', failures: 5, eligible: 212 * S },
      { event: fail(212 * S, 'config', 'CAMERA_AUTH_FAILED'), state: 'offline', failures: 6, eligible: 512 * S },
      { event: ok(600 * S), state: 'online', failures: 0, eligible: 600 * S },
    ]);
  });

  it('local failures (aborted visit, no ffmpeg) change nothing', () => {
    play([
      { event: ok(0), state: 'online', failures: 0, eligible: 0 },
      { event: fail(1 * S, 'local', 'VISIT_ABORTED'), state: 'online', failures: 0, eligible: 1 * S },
      { event: fail(2 * S), state: 'degraded', failures: 1, eligible: 2 * S },
      { event: fail(3 * S, 'local', 'FFMPEG_UNAVAILABLE'), state: 'degraded', failures: 1, eligible: 3 * S },
    ]);
  });

  it('offline after the first failure when offlineAfter is 1', () => {
    play([{ event: fail(0), state: 'offline', failures: 1, eligible: 10 * S }], { ...policy, offlineAfter: 1 });
  });

  it('jitter takes up to its fraction off each quarantine, deterministically with an injected random', () => {
    const draws = [0, 0.5, 0.999];
    const h = new CameraHealth('cam-1', { ...policy, offlineAfter: 1, jitter: 0.2, random: () => draws.shift() ?? 0 });
    h.recordFailure({ code: 'X', message: 'x' }, 0);
    expect(h.eligibleAt(0)).toBe(10 * S);
    h.recordFailure({ code: 'X', message: 'x' }, 10 * S);
    expect(h.eligibleAt(10 * S)).toBe(10 * S + 18 * S);
    h.recordFailure({ code: 'X', message: 'x' }, 28 * S);
    expect(h.eligibleAt(28 * S)).toBe(28 * S + Math.round(40 * S * (1 - 0.2 * 0.999)));
  });

  it('snapshot keeps the last error (masked message, code, time) and counters', () => {
    const h = new CameraHealth('cam-1', policy);
    h.recordSuccess(5);
    h.recordFailure({ code: 'CAMERA_NOT_FOUND', message: 'camera cam-1 (rtsp://***:***@h/x): no stream at this path'.padEnd(900, '.'), failure: 'config' }, 9);
    const snap = h.snapshot();
    expect(snap).toMatchObject({ state: 'degraded', lastSuccessAt: 5, lastFailureAt: 9, visits: 2, failures: 1, quarantinedUntil: undefined });
    expect(snap.lastError?.code).toBe('CAMERA_NOT_FOUND');
    expect(snap.lastError?.at).toBe(9);
    expect(snap.lastError?.message).toHaveLength(500);
    expect(JSON.parse(JSON.stringify(snap))).toMatchObject({ cameraId: 'cam-1', state: 'degraded' });
  });

  it('restores from a stored snapshot and carries on (health kept in Redis between workers)', () => {
    const a = new CameraHealth('cam-1', policy);
    for (const at of [0, 1 * S, 2 * S, 12 * S]) a.recordFailure({ code: 'CAMERA_REFUSED', message: 'm' }, at);
    const stored = JSON.parse(JSON.stringify(a.snapshot())) as ReturnType<CameraHealth['snapshot']>;
    expect(stored).toMatchObject({ state: 'offline', consecutiveFailures: 4, backoffMs: 20 * S, quarantinedUntil: 32 * S });
    const b = CameraHealth.restore('cam-1', stored, policy);
    expect(b.snapshot()).toEqual(a.snapshot());
    expect(b.isEligible(31 * S)).toBe(false);
    b.recordFailure({ code: 'CAMERA_REFUSED', message: 'm' }, 32 * S);
    a.recordFailure({ code: 'CAMERA_REFUSED', message: 'm' }, 32 * S);
    expect(b.snapshot()).toEqual(a.snapshot());
    expect(b.eligibleAt(32 * S)).toBe(72 * S);
  });

  it.each([
    { name: 'nothing stored', stored: null },
    { name: 'another camera', stored: { cameraId: 'cam-2', state: 'offline', quarantinedUntil: 1e12 } },
    { name: 'garbage', stored: { cameraId: 'cam-1', state: 'exploded', consecutiveFailures: -3, quarantinedUntil: 'soon' } },
  ])('restore of $name gives a usable tracker', ({ stored }) => {
    const h = CameraHealth.restore('cam-1', stored as never, policy);
    expect(h.isEligible(0)).toBe(true);
    expect(h.snapshot()).toMatchObject({ cameraId: 'cam-1', state: 'unknown', consecutiveFailures: 0 });
  });

  it('rejects a policy that makes no sense', () => {
    expect(() => new CameraHealth('c', { offlineAfter: 0 })).toThrow(RangeError);
    expect(() => new CameraHealth('c', { baseBackoffMs: 10, maxBackoffMs: 5 })).toThrow(RangeError);
    expect(() => new CameraHealth('c', { jitter: 2 })).toThrow(RangeError);
  });
});
