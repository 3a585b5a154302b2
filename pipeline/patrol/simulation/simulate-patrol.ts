import { performance } from 'node:perf_hooks';
import { median, quantile } from '../../stats.ts';
import { IndexedHeap } from '../indexed-heap.ts';
import { PatrolScheduler } from '../patrol-scheduler.ts';
import type { Priority, SchedulerCamera } from '../types.ts';
import { type QuarantinePolicy, backoffMs } from './backoff.ts';
import { seededRandom } from './random.ts';
import { type PriorityReport, RevisitRecorder } from './revisit-recorder.ts';
import { DEFAULT_VISIT_MODEL, VisitModel, type VisitModelOptions } from './visit-model.ts';

/** What to simulate. */
export interface SimulationOptions {
  /** Number of cameras. */
  readonly cameras: number;
  /** Number of workers. */
  readonly workers: number;
  /** Visits one worker runs at once (patrol.visitsInFlightPerWorker). Default 2. */
  readonly slotsPerWorker?: number;
  /** Share of key cameras, 0-1. Default 0.1. */
  readonly keyFraction?: number;
  /** Share of low cameras, 0-1. Default 0. */
  readonly lowFraction?: number;
  /** Revisit targets, s. Default key 120, normal 900, low 1800. */
  readonly targets?: Readonly<Record<Priority, number>>;
  /** Simulated time, s. Default 7200. */
  readonly durationS?: number;
  /** Intervals ending before this are not measured, s. Default twice the longest target in use, at most half the run. */
  readonly warmupS?: number;
  /** Scheduler plan factors (see SchedulerPlan). */
  readonly starvationFactor?: number;
  readonly leadFraction?: number;
  /** Visit durations and failures. Default DEFAULT_VISIT_MODEL. */
  readonly visit?: Partial<VisitModelOptions>;
  /** Backoff applied to failing cameras. Default 3 failures, 60 s doubling to 3600 s. */
  readonly quarantine?: QuarantinePolicy;
  /** Seed of the random draws. Default 1. */
  readonly seed?: number;
}

/** What a simulation measured (the `simulate --json` document). */
export interface SimulationReport {
  readonly cameras: number;
  readonly workers: number;
  /** workers x slots per worker. */
  readonly slots: number;
  readonly simulatedS: number;
  readonly warmupS: number;
  readonly perPriority: readonly PriorityReport[];
  /** Wall time of next() calls that chose a camera, microseconds. */
  readonly decisionCostUs: { readonly median: number; readonly p99: number };
  readonly visits: { readonly ok: number; readonly failed: number };
  /** Share of slot time spent in visits, 0-1. */
  readonly utilization: number;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

function population(n: number, keyFraction: number, lowFraction: number): SchedulerCamera[] {
  const keys = Math.round(n * keyFraction);
  const lows = Math.round(n * lowFraction);
  const width = String(n).length;
  return Array.from({ length: n }, (_, i) => ({
    id: `cam-${String(i).padStart(width, '0')}`,
    priority: i < keys ? 'key' : i >= n - lows ? 'low' : 'normal',
    areaType: 'street',
  }));
}

/**
 * Runs the real PatrolScheduler against a simulated clock (discrete events: visit completions
 * and the scheduler's own next-due instants). All slots of all workers form one pool; CPU
 * contention between a worker's slots is not modelled. Offline cameras fail every visit and are
 * held back with exponential backoff after `failuresBeforeQuarantine` failures.
 */
export function simulatePatrol(options: SimulationOptions): SimulationReport {
  const targets = options.targets ?? { key: 120, normal: 900, low: 1800 };
  const durationMs = (options.durationS ?? 7200) * 1000;
  const cams = population(options.cameras, options.keyFraction ?? 0.1, options.lowFraction ?? 0);
  const index = new Map(cams.map((c, i) => [c.id, i]));
  const longest = Math.max(...cams.map((c) => targets[c.priority]));
  const warmupMs = (options.warmupS ?? Math.min(2 * longest, durationMs / 2000)) * 1000;
  const quarantine = options.quarantine ?? { failuresBeforeQuarantine: 3, baseBackoffS: 60, maxBackoffS: 3600 };
  const model = new VisitModel({ ...DEFAULT_VISIT_MODEL, ...options.visit }, cams.length, seededRandom(options.seed ?? 1));
  const scheduler = new PatrolScheduler(
    cams,
    { targets, starvationFactor: options.starvationFactor, leadFraction: options.leadFraction },
    { now: 0 },
  );
  const recorder = new RevisitRecorder(cams.map((c) => c.priority), warmupMs);

  const slots = options.workers * (options.slotsPerWorker ?? 2);
  const busy = new IndexedHeap(slots); // slot -> end of its visit
  const running: { camera: number; ok: boolean }[] = [];
  const free = Array.from({ length: slots }, (_, i) => slots - 1 - i);
  const failures = new Uint16Array(cams.length);
  const costsMs: number[] = [];
  let busyMs = 0;
  let ok = 0;
  let failed = 0;
  let now = 0;

  for (;;) {
    while (free.length > 0) {
      const t0 = performance.now();
      const id = scheduler.next(now);
      const spent = performance.now() - t0;
      if (id === null) break;
      costsMs.push(spent);
      const camera = index.get(id)!;
      const visit = model.visit(camera);
      const slot = free.pop()!;
      busy.set(slot, now + visit.durationMs);
      running[slot] = { camera, ok: visit.ok };
      // Counted at its start, so a visit still running when the run ends is not an open gap.
      if (visit.ok) recorder.visited(camera, now);
      busyMs += Math.min(visit.durationMs, durationMs - now);
    }
    let wake = Math.min(busy.peekKey(), free.length > 0 ? scheduler.nextDueAt(now) : Number.POSITIVE_INFINITY);
    if (wake > durationMs) break;
    if (wake <= now && busy.peekKey() > now) wake = now + 1; // never spin on one instant
    now = Math.max(now, wake);
    while (busy.peekKey() <= now) {
      const slot = busy.pop()!;
      const { camera, ok: visitOk } = running[slot]!;
      const id = cams[camera]!.id;
      scheduler.complete(id, visitOk ? 'ok' : 'failed');
      if (visitOk) {
        ok++;
        failures[camera] = 0;
      } else {
        failed++;
        failures[camera] = Math.min(failures[camera]! + 1, 65_535);
        const hold = backoffMs(failures[camera]!, quarantine);
        if (hold > 0) scheduler.setEligibleAt(id, now + hold);
      }
      free.push(slot);
    }
  }

  const costsUs = costsMs.map((ms) => ms * 1000);
  return {
    cameras: cams.length,
    workers: options.workers,
    slots,
    simulatedS: durationMs / 1000,
    warmupS: warmupMs / 1000,
    perPriority: recorder.report(durationMs, targets, (i) => !model.isOffline(i)),
    decisionCostUs: { median: round(median(costsUs), 2), p99: round(quantile(costsUs, 0.99), 2) },
    visits: { ok, failed },
    utilization: round(busyMs / (slots * durationMs), 3),
  };
}
