import { z } from 'zod';
/**
 * Health of one camera, from the outcomes of its visits: pure, time passed in (ms since the
 * epoch or any monotonic origin, as long as it is the same one).
 *
 * States:
 * - `unknown`: never visited.
 * - `online`: the last visit succeeded.
 * - `degraded`: the last visit(s) failed, fewer than `offlineAfter` in a row. Still visited in turn.
 * - `offline`: `offlineAfter` failures in a row. Quarantined: `eligibleAt(now)` lies in the future,
 *   so a dead camera costs the patrol almost nothing. Each further failure doubles the quarantine
 *   (`baseBackoffMs` * 2^k, at most `maxBackoffMs`).
 *
 * Configuration errors (`failure: 'config'`: bad credentials, wrong path, bad URL) grow the
 * quarantine by `configBackoffFactor` (default 4) instead of 2: they do not fix themselves, so the
 * camera reaches the maximum backoff after fewer visits and someone has to fix its settings. They
 * still need `offlineAfter` failures in a row, since a rebooting camera answers 404 for a moment.
 * Local failures (`failure: 'local'`: visit aborted, ffmpeg missing) are not the camera's doing and
 * change nothing. A success at any time (for instance a visit forced from the API) resets the
 * camera to `online`.
 */
import type { FailureKind } from './errors.ts';

/** Health state of a camera; see the module comment. */
export type CameraHealthState = 'unknown' | 'online' | 'degraded' | 'offline';

/** How failures turn into quarantine. */
export interface HealthPolicy {
  /** Failures in a row that take a camera offline. Default 3. */
  readonly offlineAfter: number;
  /** First quarantine (ms). Default 30 000. */
  readonly baseBackoffMs: number;
  /** Longest quarantine (ms). Default 1 800 000 (30 min). */
  readonly maxBackoffMs: number;
  /** Growth of the quarantine per failure for transient errors. Default 2. */
  readonly backoffFactor: number;
  /** Growth for configuration errors (auth, 404, bad URL). Default 4. */
  readonly configBackoffFactor: number;
  /** Up to this fraction of each quarantine is taken off at random, so cameras that failed together do not come back together. 0-1, default 0.2. */
  readonly jitter: number;
  /** Random source in [0, 1) for the jitter (inject a fixed one in tests). Default Math.random. */
  readonly random: () => number;
}

/** Defaults of {@link HealthPolicy}. */
export const DEFAULT_HEALTH_POLICY: HealthPolicy = {
  offlineAfter: 3,
  baseBackoffMs: 30_000,
  maxBackoffMs: 30 * 60_000,
  backoffFactor: 2,
  configBackoffFactor: 4,
  jitter: 0.2,
  random: Math.random,
};

/** What a failed visit reports; every `CameraError` fits. `message` must already be masked. */
export interface VisitFailure {
  readonly code: string;
  readonly message: string;
  /** Whose fault; default `transient`. */
  readonly failure?: FailureKind;
}

/** The last error, as kept and shown. */
export interface HealthError {
  readonly code: string;
  /** Masked message, at most 500 characters. */
  readonly message: string;
  readonly at: number;
}

/** A camera's health for the API and metrics. */
export interface CameraHealthSnapshot {
  readonly cameraId: string;
  readonly state: CameraHealthState;
  readonly consecutiveFailures: number;
  readonly lastError: HealthError | undefined;
  readonly lastSuccessAt: number | undefined;
  readonly lastFailureAt: number | undefined;
  /** When an offline camera may be visited again; undefined when not quarantined. */
  readonly quarantinedUntil: number | undefined;
  /** The current quarantine length before jitter (ms), 0 unless offline; the next failure grows it. */
  readonly backoffMs: number;
  readonly visits: number;
  readonly failures: number;
}

/**
 * {@link CameraHealthSnapshot} as read back from storage (JSON drops undefined fields, so those
 * are optional here). `CameraHealth.restore` still clamps the values it takes over.
 */
export const CameraHealthSnapshotSchema = z.object({
  cameraId: z.string(),
  state: z.enum(['unknown', 'online', 'degraded', 'offline']),
  consecutiveFailures: z.number(),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.number() }).optional(),
  lastSuccessAt: z.number().optional(),
  lastFailureAt: z.number().optional(),
  quarantinedUntil: z.number().optional(),
  backoffMs: z.number(),
  visits: z.number(),
  failures: z.number(),
});

/** A snapshot as stored and read back. */
export type StoredHealthSnapshot = z.infer<typeof CameraHealthSnapshotSchema>;

const MAX_MESSAGE = 500;
const STATES: readonly CameraHealthState[] = ['unknown', 'online', 'degraded', 'offline'];

/** Health tracker of one camera. */
export class CameraHealth {
  private readonly policy: HealthPolicy;
  private state: CameraHealthState = 'unknown';
  private consecutive = 0;
  /** The current quarantine length before jitter (ms); 0 when not offline. */
  private backoffMs = 0;
  private until: number | undefined;
  private lastError: HealthError | undefined;
  private lastSuccessAt: number | undefined;
  private lastFailureAt: number | undefined;
  private visits = 0;
  private failures = 0;

  constructor(
    readonly cameraId: string,
    policy: Partial<HealthPolicy> = {},
  ) {
    this.policy = { ...DEFAULT_HEALTH_POLICY, ...policy };
    const p = this.policy;
    if (!(Number.isInteger(p.offlineAfter) && p.offlineAfter >= 1)) throw new RangeError('health policy: offlineAfter must be an integer >= 1');
    if (!(p.baseBackoffMs > 0 && p.maxBackoffMs >= p.baseBackoffMs)) throw new RangeError('health policy: need 0 < baseBackoffMs <= maxBackoffMs');
    if (!(p.backoffFactor >= 1 && p.configBackoffFactor >= 1)) throw new RangeError('health policy: backoff factors must be >= 1');
    if (!(p.jitter >= 0 && p.jitter <= 1)) throw new RangeError('health policy: jitter must be in [0, 1]');
  }

  /**
   * A tracker carrying on from a stored `snapshot` (health kept in Redis between visits, so any
   * worker may visit any camera). A missing or malformed snapshot, or one of another camera, gives
   * a fresh tracker; fields that do not parse fall back to their initial values.
   */
  static restore(cameraId: string, snapshot: Partial<CameraHealthSnapshot> | null | undefined, policy: Partial<HealthPolicy> = {}): CameraHealth {
    const h = new CameraHealth(cameraId, policy);
    if (!snapshot || typeof snapshot !== 'object' || snapshot.cameraId !== cameraId) return h;
    const count = (v: unknown): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 0);
    const time = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    if (snapshot.state && STATES.includes(snapshot.state)) h.state = snapshot.state;
    h.consecutive = count(snapshot.consecutiveFailures);
    h.backoffMs = Math.min(h.policy.maxBackoffMs, count(snapshot.backoffMs));
    h.until = h.state === 'offline' ? time(snapshot.quarantinedUntil) : undefined;
    const e = snapshot.lastError;
    if (e && typeof e.code === 'string' && typeof e.message === 'string' && time(e.at) !== undefined) {
      h.lastError = { code: e.code, message: e.message.slice(0, MAX_MESSAGE), at: e.at };
    }
    h.lastSuccessAt = time(snapshot.lastSuccessAt);
    h.lastFailureAt = time(snapshot.lastFailureAt);
    h.visits = count(snapshot.visits);
    h.failures = count(snapshot.failures);
    return h;
  }

  /** A visit succeeded at `now`: online, counters and quarantine reset. */
  recordSuccess(now: number): void {
    this.visits++;
    this.state = 'online';
    this.consecutive = 0;
    this.backoffMs = 0;
    this.until = undefined;
    this.lastSuccessAt = now;
  }

  /** A visit failed at `now` with `error` (ignored when the failure is `local`). */
  recordFailure(error: VisitFailure, now: number): void {
    const kind = error.failure ?? 'transient';
    if (kind === 'local') return;
    this.visits++;
    this.failures++;
    this.consecutive++;
    this.lastFailureAt = now;
    this.lastError = { code: error.code, message: error.message.slice(0, MAX_MESSAGE), at: now };
    if (this.consecutive < this.policy.offlineAfter) {
      this.state = 'degraded';
      return;
    }
    const p = this.policy;
    const factor = kind === 'config' ? p.configBackoffFactor : p.backoffFactor;
    this.backoffMs = this.state === 'offline' ? Math.min(p.maxBackoffMs, this.backoffMs * factor) : p.baseBackoffMs;
    this.state = 'offline';
    this.until = now + Math.round(this.backoffMs * (1 - p.jitter * p.random()));
  }

  /** When the camera may be visited: `now` unless it is quarantined until later. */
  eligibleAt(now: number): number {
    return this.until !== undefined && this.until > now ? this.until : now;
  }

  /** True when a visit at `now` is allowed. */
  isEligible(now: number): boolean {
    return this.eligibleAt(now) <= now;
  }

  /** The current state. */
  get current(): CameraHealthState {
    return this.state;
  }

  /** A plain, serialisable copy of the state. */
  snapshot(): CameraHealthSnapshot {
    return {
      cameraId: this.cameraId,
      state: this.state,
      consecutiveFailures: this.consecutive,
      lastError: this.lastError,
      lastSuccessAt: this.lastSuccessAt,
      lastFailureAt: this.lastFailureAt,
      quarantinedUntil: this.until,
      backoffMs: this.backoffMs,
      visits: this.visits,
      failures: this.failures,
    };
  }
}
