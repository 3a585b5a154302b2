/**
 * How much one worker process takes on: detector processes and visits in flight, from the config
 * and the cores the process may use. Pure: cores are passed in.
 *
 * Why `auto` visits in flight is a number per core: a visit spends most of its wall time waiting
 * (RTSP set-up, the keyframe, the spacing between frames) and little CPU (ffmpeg's decode and a
 * few inferences), so a worker needs many visits in flight to keep its cores busy. Measured with
 * `npx tsx scripts/bench/worker-throughput.ts` (24 fixture cameras, 3 frames 500 ms apart,
 * picodet-s-416, 2 cores shared with other jobs at load 13-21, 2 rounds x 30 s interleaved):
 *
 * | setting                         | 640 px visits/min | CPU s/visit (ffmpeg + worker) | 1080p visits/min |
 * |---------------------------------|-------------------|-------------------------------|------------------|
 * | main-thread detector, 2 visits  | 38                | 0.112 + 0.095                 | 40               |
 * | 2 detector processes, 8 visits  | 105 (2.8x)        | 0.112 + 0.093                 | 66 (1.65x)       |
 * | 2 detector processes, 12 visits | 106               | 0.127 + 0.099                 | -                |
 *
 * 12 in flight brought nothing over 8 and made visits longer (6.3 s against 4.3 s median), so
 * `auto` is 4 per core. The CPU per visit allows ~580 visits/min on 2 free cores at 640 px and
 * ~330 at 1080p.
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
