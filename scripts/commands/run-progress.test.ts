import { describe, expect, it } from 'vitest';
import type { SchedulerStatus } from '../../pipeline/patrol/types.ts';
import { healthChangeLine, statusParts } from './run-progress.ts';

const status = (over: Partial<SchedulerStatus>): SchedulerStatus => ({
  paused: false,
  cameras: 9,
  enabled: 9,
  due: 7,
  overdue: 8,
  inFlight: 2,
  held: 2,
  requested: 0,
  activeWindows: [],
  perPriority: [],
  ...over,
});

describe('the status line', () => {
  it('camera counts add up to the enabled cameras; overdue is "n of total"', () => {
    const parts = statusParts(10, 1, status({}));
    expect(parts).toContain('9 cameras: 2 in flight, 2 held back, 5 waiting (5 due now)');
    expect(parts).toContain('overdue 8 of 9');
    const [flight, held, waiting] = /(\d+) in flight, (\d+) held back, (\d+) waiting/.exec(parts.join(' '))!.slice(1).map(Number);
    expect(flight! + held! + waiting!).toBe(9);
  });
  it('without a scheduler in this process, only the visit counts', () => {
    expect(statusParts(3, 0, undefined)).toEqual(['visits 3 (0 failed)']);
  });
});

describe('health change lines', () => {
  it('a recovered camera does not repeat its old error', () => {
    const line = healthChangeLine('cam-1', 'Gate', 'offline', { state: 'online', lastError: { code: 'CAMERA_TIMEOUT' } });
    expect(line).toBe('camera cam-1 (Gate) is back online (was offline)');
    expect(line).not.toContain('CAMERA_TIMEOUT');
  });
  it('a failing camera names its error', () => {
    expect(healthChangeLine('cam-1', 'Gate', 'online', { state: 'degraded', lastError: { code: 'CAMERA_REFUSED' } })).toBe('camera cam-1 (Gate) is now degraded (CAMERA_REFUSED)');
  });
});
