/**
 * Lowers the CPU priority of a child process (detector processes, ffmpeg) below this process's, so
 * that on saturated cores the kernel runs this process first when its event loop wakes: the
 * children then take the cores' idle time instead of delaying the API, the patrol timers and the
 * Redis round trips. Standard practice for a control loop beside CPU-bound helpers.
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
