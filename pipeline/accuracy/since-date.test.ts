import { describe, expect, it } from 'vitest';
import { AccuracyOptionError } from './accuracy-errors.ts';
import { localDate } from './local-day.ts';
import { parseSince } from './since-date.ts';

describe('parseSince', () => {
  it('reads a date as local midnight in the zone', () => {
    expect(parseSince('2024-05-01', 'Asia/Shanghai')).toBe(Date.UTC(2024, 3, 30, 16));
    expect(parseSince('2024-05-01', 'UTC')).toBe(Date.UTC(2024, 4, 1));
    // Days on which daylight saving starts and ends: midnight is still EST (-5) / EDT (-4).
    expect(parseSince('2024-03-10', 'America/New_York')).toBe(Date.UTC(2024, 2, 10, 5));
    expect(parseSince('2024-11-03', 'America/New_York')).toBe(Date.UTC(2024, 10, 3, 4));
  });

  it('reads an ISO date-time only with its offset', () => {
    expect(parseSince('2024-05-01T08:00+08:00', 'UTC')).toBe(Date.UTC(2024, 4, 1));
    expect(parseSince('2024-05-01T08:00:30Z', 'Asia/Shanghai')).toBe(Date.UTC(2024, 4, 1, 8, 0, 30));
    expect(() => parseSince('2024-05-01T08:00', 'UTC')).toThrow(AccuracyOptionError);
  });

  it('rejects impossible dates and other text, naming the field', () => {
    expect(() => parseSince('2024-02-31', 'UTC')).toThrow(/since: "2024-02-31" is not a calendar date/);
    expect(() => parseSince('yesterday', 'UTC', 'sinceDate')).toThrow(expect.objectContaining({ field: 'sinceDate' }));
  });
});

describe('localDate', () => {
  it('is the calendar date in the zone', () => {
    const t = Date.UTC(2024, 4, 1, 17);
    expect(localDate(t, 'UTC')).toBe('2024-05-01');
    expect(localDate(t, 'Asia/Shanghai')).toBe('2024-05-02');
  });
});
