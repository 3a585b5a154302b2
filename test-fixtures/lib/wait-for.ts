/**
 * Polling for integration tests: the first truthy value `probe` resolves to, or an error naming
 * what was awaited once `ms` have passed. Not a timed assertion: the bound only ends a test that
 * would otherwise hang.
 */

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Pause between probes, ms. Default 300. */
  readonly everyMs?: number;
  /** A probe that throws counts as "not yet" (a server being restarted). Default false: the error ends the wait. */
  readonly ignoreErrors?: boolean;
}

/** Probes until `probe` resolves to a truthy value; rejects with `timed out waiting for <what>` after `ms`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms: number, options: WaitForOptions = {}): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = options.ignoreErrors ? await Promise.resolve().then(probe).catch(() => undefined) : await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, options.everyMs ?? 300));
  }
}
