/** Quarantine settings, as in the config's patrol.quarantine. */
export interface QuarantinePolicy {
  /** Consecutive failures before a camera is held back. */
  readonly failuresBeforeQuarantine: number;
  /** First hold, s; doubles with each further failure. */
  readonly baseBackoffS: number;
  /** Longest hold, s. */
  readonly maxBackoffS: number;
}

/**
 * How long to hold a camera back after `failures` consecutive failed visits, ms (0 = not yet).
 * Exponential: base, 2 x base, 4 x base ... capped at max.
 */
export function backoffMs(failures: number, policy: QuarantinePolicy): number {
  if (failures < policy.failuresBeforeQuarantine) return 0;
  const doublings = Math.min(failures - policy.failuresBeforeQuarantine, 30);
  return Math.min(policy.baseBackoffS * 2 ** doublings, policy.maxBackoffS) * 1000;
}
