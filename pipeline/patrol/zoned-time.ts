import { MINUTES_PER_WEEK, WEEKDAYS } from './time-of-day.ts';
import type { Weekday } from './types.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone name this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The runtime's own time zone (the system's), e.g. "Asia/Shanghai". */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Wall-clock reading of an instant in a zone. */
interface LocalTime {
  readonly weekday: Weekday;
  /** Milliseconds since the Unix epoch of the same wall-clock reading in UTC. */
  readonly wallMs: number;
}

function localTime(ms: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(ms)) parts[p.type] = p.value;
  const weekday = (parts.weekday ?? 'Mon').toLowerCase().slice(0, 3) as Weekday;
  const wallS = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return { weekday, wallMs: wallS + (((ms % 1000) + 1000) % 1000) };
}

/** The zone's offset from UTC at an instant, ms (e.g. +8 h for Asia/Shanghai). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  return localTime(ms, timeZone).wallMs - ms;
}

/** Local minute of the week at an instant (0 = Monday 00:00), with a fraction for seconds. */
export function minuteOfWeek(ms: number, timeZone: string): number {
  const { weekday, wallMs } = localTime(ms, timeZone);
  const minuteOfDay = (((wallMs % 86_400_000) + 86_400_000) % 86_400_000) / 60_000;
  return (WEEKDAYS.indexOf(weekday) * 1440 + minuteOfDay) % MINUTES_PER_WEEK;
}
