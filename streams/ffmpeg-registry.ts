/**
 * Every ffmpeg child this process started and that has not exited yet. Visits register their
 * process here so that shutdown (`killAll`) and tests (`liveFfmpegCount`) can see leaks, and so
 * that no ffmpeg outlives this Node process: on `process.exit` the remaining ones get SIGKILL
 * (those of the spawner process are also stopped by it when this process's channel closes).
 */
import type { FfmpegProcess } from './remote-ffmpeg.ts';

const live = new Map<number, FfmpegProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous by necessity ('exit' listeners cannot wait): SIGKILL whatever is left, by pid
  // (a message to the spawner process would not leave before this process is gone).
  process.once('exit', () => {
    for (const pid of live.keys()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
  });
}

/** Tracks `child` until it exits. Safe to call twice for the same process. */
export function registerFfmpeg(child: FfmpegProcess): void {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  installExitHook();
  live.set(pid, child);
  child.once('exit', () => live.delete(pid));
}

/** Number of registered ffmpeg processes that have not exited yet. */
export function liveFfmpegCount(): number {
  return live.size;
}

/** Pids of the registered ffmpeg processes still alive. */
export function liveFfmpegPids(): number[] {
  return [...live.keys()];
}

/**
 * Resolves when `child` has exited; sends SIGTERM first (ffmpeg then tears the RTSP session
 * down, which frees the camera's session slot), SIGKILL after `graceMs`.
 */
export function stopFfmpeg(child: FfmpegProcess, graceMs = 500): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Stops every registered ffmpeg (SIGTERM, SIGKILL after `graceMs`) and resolves when all have
 * exited. For shutdown; safe to call twice.
 */
export async function killAll(graceMs = 500): Promise<void> {
  await Promise.all([...live.values()].map((child) => stopFfmpeg(child, graceMs)));
}
