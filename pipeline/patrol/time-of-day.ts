import type { Weekday } from './types.ts';

/** Weekdays in ISO order (Monday first); the index is the day's offset in a week. */
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Minutes in a week. */
export const MINUTES_PER_WEEK = 7 * 24 * 60;

/** "HH:MM" on a 24-hour clock, 00:00-23:59, plus "24:00" for the end of a day. */
export const TIME_OF_DAY_PATTERN = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;

/** Minutes after midnight of an "HH:MM" time, or null when it does not match TIME_OF_DAY_PATTERN. */
export function parseTimeOfDay(text: string): number | null {
  const m = TIME_OF_DAY_PATTERN.exec(text);
  if (!m) return null;
  if (m[1] === undefined) return 24 * 60;
  return Number(m[1]) * 60 + Number(m[2]);
}
