import { simulatePatrol } from '../../pipeline/patrol/simulation/simulate-patrol.ts';

/** The fleet the issue sizes: 11,000 cameras, 10 % key at 120 s, the rest normal at 900 s. */
export const DISTRICT = { cameras: 11_000, keyFraction: 0.1, targets: { key: 120, normal: 900, low: 1800 } } as const;

/**
 * Workers the district needs for a worker measured at `visitsPerMinute` with `slots` visits in
 * flight: each simulated slot's visit lasts `slots / visits-per-second` (Little's law), so the
 * simulated worker does exactly the measured visits a minute, CPU limits included. Smallest worker
 * count whose p95 revisit interval is within target for every priority; null when even
 * `maxWorkers` is not enough.
 */
export function workersNeeded(visitsPerMinute: number, slots: number, maxWorkers = 64): { effectiveVisitS: number; workers: number | null } {
  const effectiveVisitS = (slots * 60) / visitsPerMinute;
  const meets = (workers: number): boolean => {
    const r = simulatePatrol({ ...DISTRICT, workers, slotsPerWorker: slots, durationS: 3600, visit: { visitMsMedian: effectiveVisitS * 1000 } });
    return r.perPriority.every((p) => p.cameras === 0 || p.p95S <= p.targetS);
  };
  let lo = 1;
  let hi = maxWorkers;
  if (!meets(hi)) return { effectiveVisitS, workers: null };
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (meets(mid)) hi = mid;
    else lo = mid + 1;
  }
  return { effectiveVisitS: Number(effectiveVisitS.toFixed(3)), workers: lo };
}
