import { describe, expect, it } from 'vitest';
import { PatrolPlanError } from './errors.ts';
import { WindowCalendar } from './window-calendar.ts';

const school = { name: 'school-run', areaTypes: ['school'], days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, start: '07:15', end: '08:30', targetS: 60 };

describe('WindowCalendar', () => {
  it('opens and closes at local times in the plan time zone', () => {
    const cal = new WindowCalendar([school], 'Asia/Shanghai');
    // Monday 2026-03-02 07:14:59 in Shanghai (UTC+8) is 23:14:59 UTC on Sunday.
    const before = Date.parse('2026-03-01T23:14:59Z');
    expect(cal.activeAt(before)).toEqual([false]);
    expect(cal.nextChangeAfter(before)).toBe(Date.parse('2026-03-01T23:15:00Z'));
    expect(cal.activeAt(Date.parse('2026-03-01T23:15:00Z'))).toEqual([true]);
    expect(cal.nextChangeAfter(Date.parse('2026-03-01T23:15:00Z'))).toBe(Date.parse('2026-03-02T00:30:00Z'));
    expect(cal.activeAt(Date.parse('2026-03-02T00:30:00Z'))).toEqual([false]);
  });

  it('stays closed at weekends and finds Monday morning from Friday evening', () => {
    const cal = new WindowCalendar([school], 'UTC');
    expect(cal.activeAt(Date.parse('2026-03-07T07:30:00Z'))).toEqual([false]); // Saturday
    expect(cal.nextChangeAfter(Date.parse('2026-03-06T18:00:00Z'))).toBe(Date.parse('2026-03-09T07:15:00Z'));
  });

  it('accounts for a daylight-saving change between now and the boundary', () => {
    const cal = new WindowCalendar([school], 'America/New_York');
    // DST starts Sunday 2026-03-08; Monday 07:15 EDT is 11:15 UTC (Saturday 07:15 EST was 12:15 UTC).
    expect(cal.nextChangeAfter(Date.parse('2026-03-07T17:00:00Z'))).toBe(Date.parse('2026-03-09T11:15:00Z'));
  });

  it('handles windows that cross midnight and the end of the week', () => {
    const night = { name: 'night', areaTypes: ['park'], days: ['sun'] as const, start: '22:00', end: '06:00', targetS: 3600 };
    const cal = new WindowCalendar([night], 'UTC');
    expect(cal.activeAt(Date.parse('2026-03-08T23:00:00Z'))).toEqual([true]); // Sunday 23:00
    expect(cal.activeAt(Date.parse('2026-03-09T05:59:00Z'))).toEqual([true]); // Monday 05:59
    expect(cal.activeAt(Date.parse('2026-03-09T06:00:00Z'))).toEqual([false]);
  });

  it('rejects bad times and unknown zones', () => {
    expect(() => new WindowCalendar([{ ...school, start: '25:00' }], 'UTC')).toThrow(PatrolPlanError);
    expect(() => new WindowCalendar([school], 'Mars/Olympus')).toThrow(/unknown time zone "Mars\/Olympus"/);
  });
});
