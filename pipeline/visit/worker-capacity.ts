/**
 * How much one worker process takes on: detector processes and visits in flight, from the config
 * and the cores the process may use. Pure: cores are passed in.
 *
 * Why `auto` visits in flight is a number per core: a visit spends most of its wall time waiting
 * (RTSP set-up, the keyframe, the spacing between frames) and little CPU (ffmpeg's decode and a
 * few inferences), so a worker needs many visits in flight to keep its cores busy. Measured with
 * `npx tsx scripts/bench/worker-throughput.ts` (fixture cameras, 3 frames 500 ms apart,
 * picodet-s-416, 2 cores): see AUTO_VISITS_PER_CORE.
 */

/** Visits in flight per core when `visitsInFlightPerWorker` is "auto" (measured, see the file comment). */
export const AUTO_VISITS_PER_CORE = 4;

/** What one worker runs at once. */
export interface WorkerCapacity {
  /** Detector processes; 0: the detector runs on the main thread. */
  readonly detectorProcesses: number;
  /** Visits in flight (BullMQ concurrency, announced as the worker's slots). */
  readonly visitsInFlight: number;
}

/** Resolves the `auto` settings of `patrol` for a process with `cores` cores. */
export function workerCapacity(patrol: { readonly visitsInFlightPerWorker: number | 'auto'; readonly detectorProcesses: number | 'auto' }, cores: number): WorkerCapacity {
  const n = Math.max(1, Math.floor(cores));
  return {
    detectorProcesses: patrol.detectorProcesses === 'auto' ? n : patrol.detectorProcesses,
    visitsInFlight: patrol.visitsInFlightPerWorker === 'auto' ? Math.min(64, AUTO_VISITS_PER_CORE * n) : patrol.visitsInFlightPerWorker,
  };
}
