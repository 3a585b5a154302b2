import { median, quantile } from '../stats.ts';
import type { CameraState } from './camera-state.ts';
import type { IntervalLog } from './interval-log.ts';
import { PRIORITIES, type Priority, type PriorityStatus, type SchedulerStatus } from './types.ts';

const seconds = (ms: number): number => Math.round(ms) / 1000;

/** How long a camera has gone without a successful visit (since joining if never visited), ms. */
const ageOf = (c: CameraState, now: number): number => now - (c.lastVisit ?? c.addedAt);

/** The camera counts of a status. */
export function cameraCounts(cams: readonly CameraState[], now: number): Pick<SchedulerStatus, 'cameras' | 'enabled' | 'overdue' | 'inFlight'> {
  let enabled = 0;
  let overdue = 0;
  let inFlight = 0;
  for (const c of cams) {
    if (c.inFlightSince !== null) inFlight++;
    if (!c.enabled) continue;
    enabled++;
    if (ageOf(c, now) > c.targetMs) overdue++;
  }
  return { cameras: cams.length, enabled, overdue, inFlight };
}

/** Per priority: enabled cameras, base target, recent achieved intervals and the stalest camera. */
export function priorityStatus(
  cams: readonly CameraState[],
  logs: Readonly<Record<Priority, IntervalLog>>,
  baseTargetS: (p: Priority) => number,
  now: number,
): PriorityStatus[] {
  return PRIORITIES.map((p) => {
    let cameras = 0;
    let stalest: number | null = null;
    for (const c of cams) {
      if (!c.enabled || c.priority !== p) continue;
      cameras++;
      stalest = Math.max(stalest ?? 0, seconds(ageOf(c, now)));
    }
    const xs = logs[p].recent();
    return {
      priority: p,
      cameras,
      targetS: baseTargetS(p),
      achievedMedianS: xs.length ? seconds(median(xs) * 1000) : null,
      achievedP95S: xs.length ? seconds(quantile(xs, 0.95) * 1000) : null,
      achievedMaxS: xs.length ? seconds(Math.max(...xs) * 1000) : null,
      stalestS: stalest,
    };
  });
}
