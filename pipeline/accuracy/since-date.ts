import { AccuracyOptionError } from './accuracy-errors.ts';
import { localDate, localMidnight } from './local-day.ts';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Parses a `since` value to epoch ms: a date "YYYY-MM-DD" means local midnight of that day in
 * `timeZone`; an ISO date-time must carry its offset ("2024-05-01T08:00+08:00" or "...Z") so it
 * is never read in an unknown zone.
 * @throws AccuracyOptionError naming `field` when it is neither or names an impossible date.
 */
export function parseSince(text: string, timeZone: string, field = 'since'): number {
  const value = text.trim();
  if (DATE.test(value)) {
    const ms = localMidnight(value, timeZone);
    // Date.UTC rolls 2024-02-31 over to March: reject dates that do not come back unchanged.
    if (localDate(ms, timeZone) !== value) throw new AccuracyOptionError(field, `"${value}" is not a calendar date`);
    return ms;
  }
  const ms = DATE_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new AccuracyOptionError(field, `expected a date YYYY-MM-DD (local midnight) or an ISO date-time with an offset, got "${value.slice(0, 64)}"`);
  }
  return ms;
}
