/**
 * `/healthz` says the process is alive (it answers); `/readyz` says it can do its job: every
 * named part (Redis, the case store, the storage folder, the model, a known leader) answers its
 * check within a short deadline. A load balancer or Kubernetes takes a 503 from /readyz out of
 * rotation; the answer names the failing parts.
 */
/** One part to check. `check()` resolves when the part works and rejects with a plain message when not. */
export interface ReadinessCheck {
  /** Short stable name shown in the answer: redis, cases, storage, model, leader. */
  readonly name: string;
  check(): Promise<void>;
}

/** What /readyz answers. */
export interface ReadinessReport {
  readonly ready: boolean;
  /** Names of the parts that failed, in check order. */
  readonly failing: readonly string[];
  readonly checks: Readonly<Record<string, { readonly ok: boolean; readonly message?: string }>>;
}

/** Default deadline of one check (ms): a part slower than this is not ready. */
export const READINESS_TIMEOUT_MS = 500;

function withDeadline(p: Promise<void>, ms: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** Runs every check at once, each under the deadline. */
export async function readiness(checks: readonly ReadinessCheck[], timeoutMs = READINESS_TIMEOUT_MS): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        await withDeadline(c.check(), timeoutMs, c.name);
        return [c.name, { ok: true }] as const;
      } catch (err) {
        return [c.name, { ok: false, message: err instanceof Error ? err.message : String(err) }] as const;
      }
    }),
  );
  const failing = results.filter(([, r]) => !r.ok).map(([name]) => name);
  return { ready: failing.length === 0, failing, checks: Object.fromEntries(results) };
}
