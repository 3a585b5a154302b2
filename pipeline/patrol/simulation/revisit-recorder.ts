import { median, quantile } from '../../stats.ts';
import { PRIORITIES, type Priority } from '../types.ts';

/** Achieved revisit intervals of one priority in a simulation, seconds. */
export interface PriorityReport {
  readonly priority: Priority;
  /** Cameras of this priority (offline ones included). */
  readonly cameras: number;
  readonly targetS: number;
  /** Median and 95th percentile of the intervals between successful visits after warm-up. */
  readonly medianS: number;
  readonly p95S: number;
  /** Longest gap: measured intervals and, for online cameras, the gap still open at the end. */
  readonly maxS: number;
  /** Intervals measured. */
  readonly intervals: number;
}

const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

/**
 * Measures what the scheduler achieved, independently of its own bookkeeping: the start times
 * of successful visits per camera (recorded when the visit starts), and the intervals between them once warm-up is over.
 */
export class RevisitRecorder {
  private readonly lastOk: Float64Array;
  private readonly intervals: Record<Priority, number[]> = { key: [], normal: [], low: [] };

  constructor(
    private readonly priorities: readonly Priority[],
    private readonly warmupMs: number,
  ) {
    this.lastOk = new Float64Array(priorities.length).fill(Number.NaN);
  }

  /** Records a successful visit of camera `i` that started at `startMs`. */
  visited(i: number, startMs: number): void {
    const last = this.lastOk[i]!;
    if (!Number.isNaN(last) && startMs >= this.warmupMs) this.intervals[this.priorities[i]!].push((startMs - last) / 1000);
    this.lastOk[i] = startMs;
  }

  /** Per priority present: interval statistics at `endMs`; `online(i)` says which cameras could be visited at all. */
  report(endMs: number, targets: Readonly<Record<Priority, number>>, online: (i: number) => boolean): PriorityReport[] {
    const openMax: Record<Priority, number> = { key: 0, normal: 0, low: 0 };
    const cameras: Record<Priority, number> = { key: 0, normal: 0, low: 0 };
    this.priorities.forEach((p, i) => {
      cameras[p]++;
      if (online(i)) openMax[p] = Math.max(openMax[p], (endMs - (Number.isNaN(this.lastOk[i]!) ? 0 : this.lastOk[i]!)) / 1000);
    });
    return PRIORITIES.filter((p) => cameras[p] > 0).map((p) => {
      const xs = this.intervals[p];
      return {
        priority: p,
        cameras: cameras[p],
        targetS: targets[p],
        medianS: xs.length ? round(median(xs)) : Number.NaN,
        p95S: xs.length ? round(quantile(xs, 0.95)) : Number.NaN,
        maxS: round(Math.max(openMax[p], ...xs)),
        intervals: xs.length,
      };
    });
  }
}
