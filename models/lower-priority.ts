/**
 * Lowers the CPU priority of a child process (detector processes, ffmpeg) below this process's, so
 * that on saturated cores the kernel runs this process first when its event loop wakes: the
 * children then take the cores' idle time instead of delaying the API, the patrol timers and the
 * Redis round trips. Standard practice for a control loop beside CPU-bound helpers.
 *
 * Measured (scripts/bench/worker-throughput.ts, 24 fixture cameras, 2 cores shared with other
 * work at load 9-19, 7 interleaved pairs of 30 s windows): the patrol process's loop lateness p99
 * over an idle control's in the same window, median 2.6x with the children at its priority and
 * 2.0x with them 10 below (lower in 7 of 7 pairs); its main thread's run-queue wait median 480 ->
 * 297 ms/s; visits/min median 162 -> 180. With ffmpeg forked from the patrol process itself the
 * p99 fell in 4 of 4 pairs (e.g. 380 -> 82 ms). Caveat: nice is machine-wide (within an
 * autogroup), so on a host shared with other CPU-heavy work the children yield to it too.
 */
import { getPriority, setPriority } from 'node:os';

/** Highest niceness Linux allows (lowest priority). */
const MAX_NICE = 19;

/**
 * Sets the niceness of `pid` to this process's plus `nice` (capped at 19; 0 changes nothing).
 * Returns the error when the kernel refuses; a process already gone (ESRCH) is not an error here:
 * its exit is reported by its owner.
 */
export function lowerPriority(pid: number, nice: number): Error | undefined {
  if (nice <= 0) return undefined;
  try {
    setPriority(pid, Math.min(MAX_NICE, getPriority() + nice));
    return undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
    return new Error(`cannot lower the priority of process ${pid} by ${nice}: ${(err as Error).message}`, { cause: err });
  }
}
