import { PatrolPlanError } from './errors.ts';
import { MINUTES_PER_WEEK, WEEKDAYS, parseTimeOfDay } from './time-of-day.ts';
import type { PatrolWindow } from './types.ts';
import { isValidTimeZone, minuteOfWeek, zoneOffsetMs } from './zoned-time.ts';

/** A window turned into minute-of-week intervals. */
export interface CompiledWindow {
  readonly name: string;
  /** Revisit target inside the window, ms. */
  readonly targetMs: number;
  readonly areaTypes: ReadonlySet<string>;
  readonly cameraIds: ReadonlySet<string>;
  /** Half-open [start, end) minute-of-week intervals (0 = Monday 00:00 local). */
  readonly intervals: readonly (readonly [number, number])[];
}

function compile(w: PatrolWindow): CompiledWindow {
  const start = parseTimeOfDay(w.start);
  const end = parseTimeOfDay(w.end);
  if (start === null || start === 24 * 60) throw new PatrolPlanError(`time window "${w.name}": start "${w.start}" is not HH:MM (00:00-23:59)`);
  if (end === null) throw new PatrolPlanError(`time window "${w.name}": end "${w.end}" is not HH:MM (00:00-24:00)`);
  if (!(w.targetS > 0)) throw new PatrolPlanError(`time window "${w.name}": targetS must be positive`);
  const length = end > start ? end - start : end + 1440 - start;
  const intervals: [number, number][] = [];
  for (const day of w.days ?? WEEKDAYS) {
    const s = WEEKDAYS.indexOf(day) * 1440 + start;
    const e = s + length;
    if (e <= MINUTES_PER_WEEK) intervals.push([s, e]);
    else intervals.push([s, MINUTES_PER_WEEK], [0, e - MINUTES_PER_WEEK]);
  }
  return { name: w.name, targetMs: w.targetS * 1000, areaTypes: new Set(w.areaTypes ?? []), cameraIds: new Set(w.cameraIds ?? []), intervals };
}

/**
 * Which time windows are open at an instant, and when that next changes. Pure: time is passed
 * in. Windows change only at their opening and closing minutes, so the scheduler asks
 * `nextChangeAfter` once and recomputes targets at that instant, not on every decision.
 */
export class WindowCalendar {
  readonly windows: readonly CompiledWindow[];
  private readonly boundaries: readonly number[];

  /** @throws PatrolPlanError for a bad time, target or time zone. */
  constructor(windows: readonly PatrolWindow[], readonly timeZone: string) {
    if (!isValidTimeZone(timeZone)) throw new PatrolPlanError(`unknown time zone "${timeZone}"`);
    this.windows = windows.map(compile);
    const points = new Set<number>();
    for (const w of this.windows) for (const [s, e] of w.intervals) points.add(s).add(e % MINUTES_PER_WEEK);
    this.boundaries = [...points].sort((a, b) => a - b);
  }

  /** For each window (same order as given), whether it is open at `ms`. */
  activeAt(ms: number): boolean[] {
    if (this.windows.length === 0) return [];
    const m = minuteOfWeek(ms, this.timeZone);
    return this.windows.map((w) => w.intervals.some(([s, e]) => s <= m && m < e));
  }

  /** Whether a camera falls under a window. */
  matches(window: CompiledWindow, cameraId: string, areaType: string): boolean {
    return window.areaTypes.has(areaType) || window.cameraIds.has(cameraId);
  }

  /**
   * The first instant after `ms` at which some window may open or close (Infinity without
   * windows). Daylight-saving shifts between now and then are accounted for; should the estimate
   * still fall short, re-asking at that instant simply yields the real boundary shortly after.
   */
  nextChangeAfter(ms: number): number {
    if (this.boundaries.length === 0) return Number.POSITIVE_INFINITY;
    const m = minuteOfWeek(ms, this.timeZone);
    let ahead = Number.POSITIVE_INFINITY;
    for (const b of this.boundaries) {
      let d = b - m;
      if (d <= 0) d += MINUTES_PER_WEEK;
      if (d < ahead) ahead = d;
    }
    let at = ms + ahead * 60_000;
    at += zoneOffsetMs(ms, this.timeZone) - zoneOffsetMs(at, this.timeZone);
    return Math.max(Math.ceil(at), ms + 1);
  }
}
