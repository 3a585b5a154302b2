/**
 * The patrol scheduler's inputs and outputs. Plain data, independent of the config file format:
 * `plan-from-config.ts` builds them from a validated config, the simulator builds them directly.
 */

/** How much a camera matters when capacity is short: key cameras are served first. */
export type Priority = 'key' | 'normal' | 'low';

/** Priorities from most to least important. */
export const PRIORITIES: readonly Priority[] = ['key', 'normal', 'low'];

/** A day of the week, in the plan's time zone. */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** One camera as the scheduler sees it. */
export interface SchedulerCamera {
  /** Unique camera id. */
  readonly id: string;
  readonly priority: Priority;
  /** Area type (school, hospital, street, ...): selects area target overrides and time windows. */
  readonly areaType: string;
  /** Disabled cameras are never visited. Default true. */
  readonly enabled?: boolean;
}

/**
 * A recurring time window with its own revisit target (e.g. schools every 60 s on weekday
 * mornings). Inside an active window that matches a camera, the window's `targetS` replaces the
 * camera's usual target, whether shorter or longer; when several match, the shortest wins.
 */
export interface PatrolWindow {
  /** Name shown in status and logs. */
  readonly name: string;
  /** Cameras of these area types are in the window. */
  readonly areaTypes?: readonly string[];
  /** These cameras are in the window (in addition to `areaTypes`). */
  readonly cameraIds?: readonly string[];
  /** Days on which the window opens, in the plan's time zone. Default: every day. */
  readonly days?: readonly Weekday[];
  /** Local opening time "HH:MM". */
  readonly start: string;
  /** Local closing time "HH:MM" ("24:00" allowed); at or before `start` means the window ends the next day. */
  readonly end: string;
  /** Revisit target inside the window, seconds. */
  readonly targetS: number;
}

/** What the scheduler aims for. Changeable at run time with `updatePlan`. */
export interface SchedulerPlan {
  /** Revisit target per priority, seconds (e.g. key 120, normal 900, low 1800). */
  readonly targets: Readonly<Record<Priority, number>>;
  /** Per area type, targets that replace `targets` for some priorities (seconds). */
  readonly areaTargets?: Readonly<Record<string, Readonly<Partial<Record<Priority, number>>>>>;
  /** Time windows with their own targets. Default none. */
  readonly windows?: readonly PatrolWindow[];
  /** IANA time zone the windows are written in. Default "UTC". */
  readonly timezone?: string;
  /**
   * A camera not visited for `starvationFactor` x its target is served before every camera that
   * is merely due, key cameras included: the bound that keeps low cameras from starving under
   * overload. Default 3; at least 1.
   */
  readonly starvationFactor?: number;
  /**
   * Cameras become due `leadFraction` x their target before the target is reached, a margin so
   * that waiting for a free slot does not push intervals past the target; with ample capacity a
   * camera is thus visited every (1 - leadFraction) x target. Default 0.02; 0 = no margin; at
   * most 0.5.
   */
  readonly leadFraction?: number;
}

/** How a visit ended. */
export type VisitOutcome = 'ok' | 'failed';

/** What `visitNow` did. */
export type VisitNowResult = 'queued' | 'already-queued' | 'in-flight' | 'disabled';

/** Achieved revisit intervals of one priority, from recent successful visits. */
export interface PriorityStatus {
  readonly priority: Priority;
  /** Enabled cameras of this priority. */
  readonly cameras: number;
  /** The plan's base target for this priority, seconds (area overrides and windows may differ). */
  readonly targetS: number;
  /** Median / 95th percentile / maximum of recent revisit intervals, seconds; null before any. */
  readonly achievedMedianS: number | null;
  readonly achievedP95S: number | null;
  readonly achievedMaxS: number | null;
  /** Longest time any enabled camera of this priority has gone without a successful visit, seconds. */
  readonly stalestS: number | null;
}

/** A point-in-time view of the scheduler, for the API and metrics. */
export interface SchedulerStatus {
  readonly paused: boolean;
  /** All known cameras. */
  readonly cameras: number;
  readonly enabled: number;
  /** Cameras next() could hand out now (due or starving, eligible, not in flight). */
  readonly due: number;
  /** Enabled cameras whose last successful visit is older than their current target (whatever the reason). */
  readonly overdue: number;
  readonly inFlight: number;
  /** Cameras held back by `setEligibleAt` (quarantine / backoff). */
  readonly held: number;
  /** Pending `visitNow` requests. */
  readonly requested: number;
  /** Names of the time windows active now. */
  readonly activeWindows: readonly string[];
  readonly perPriority: readonly PriorityStatus[];
}
