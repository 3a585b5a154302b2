/**
 * The one way a part with several resources closes: every step runs, in order, even when one
 * fails or hangs; each failure is logged with the step's name; no step may hold shutdown longer
 * than its deadline (a dependency that is away, such as Redis, must not hang Ctrl-C).
 */

/** One cleanup step. */
export interface CloseStep {
  /** Named in the log when it fails: "queue", "redis", "http"... */
  readonly name: string;
  run(): unknown;
  /** Called when `run` has not finished by the deadline: release the resource by force (e.g. disconnect). */
  readonly force?: () => unknown;
}

/** Where failures go (a pino logger fits). */
export interface CloseLog {
  warn(obj: object, msg: string): void;
}

/** Longest wait for a step's `force` (ms). */
const FORCE_TIMEOUT_MS = 500;

/** Default deadline of one step (ms). */
export const CLOSE_STEP_TIMEOUT_MS = 5_000;

/** Runs `step` under a deadline; rejects with a timeout error when it does not finish in time. */
async function bounded(step: CloseStep, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${step.name} did not close within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(() => step.run()), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs every step in order. A step that throws or passes its deadline is logged (and forced
 * when it has `force`); the next step runs anyway. Never rejects. Returns the names of the steps
 * that failed.
 */
export async function closeAll(steps: readonly CloseStep[], log: CloseLog, timeoutMs = CLOSE_STEP_TIMEOUT_MS): Promise<string[]> {
  const failed: string[] = [];
  for (const step of steps) {
    try {
      await bounded(step, timeoutMs);
    } catch (err) {
      failed.push(step.name);
      log.warn({ step: step.name, err: err instanceof Error ? err.message : String(err) }, 'close step failed');
      const force = step.force;
      if (force) {
        // Forcing may hang too (a client waiting for a socket that never answers): bounded as well.
        await bounded({ name: `${step.name} (forced)`, run: force }, Math.min(timeoutMs, FORCE_TIMEOUT_MS)).catch(() => undefined);
      }
    }
  }
  return failed;
}
