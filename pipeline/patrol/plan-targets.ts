import { PatrolPlanError } from './errors.ts';
import { PRIORITIES, type Priority, type SchedulerPlan } from './types.ts';
import { WindowCalendar } from './window-calendar.ts';

const DEFAULT_STARVATION_FACTOR = 3;
const DEFAULT_LEAD_FRACTION = 0.02;

function positiveSeconds(value: number | undefined, what: string): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new PatrolPlanError(`${what} must be a positive number of seconds, got ${value}`);
}

/**
 * A plan made usable: validated, with its time windows' state at the last instant asked about,
 * and each camera's effective target at that instant.
 */
export class PlanTargets {
  readonly calendar: WindowCalendar;
  /** See SchedulerPlan.starvationFactor. */
  readonly starvationFactor: number;
  /** See SchedulerPlan.leadFraction. */
  readonly leadFraction: number;
  private active: boolean[];
  private changeAt: number;

  /** @throws PatrolPlanError when a target, factor, window or the time zone is invalid. */
  constructor(
    readonly plan: SchedulerPlan,
    now: number,
  ) {
    for (const p of PRIORITIES) positiveSeconds(plan.targets[p], `targets.${p}`);
    for (const [area, targets] of Object.entries(plan.areaTargets ?? {})) {
      for (const p of PRIORITIES) positiveSeconds(targets[p], `areaTargets.${area}.${p}`);
    }
    this.starvationFactor = plan.starvationFactor ?? DEFAULT_STARVATION_FACTOR;
    if (!(this.starvationFactor >= 1)) throw new PatrolPlanError(`starvationFactor must be at least 1, got ${this.starvationFactor}`);
    this.leadFraction = plan.leadFraction ?? DEFAULT_LEAD_FRACTION;
    if (!(this.leadFraction >= 0 && this.leadFraction <= 0.5)) throw new PatrolPlanError(`leadFraction must be 0-0.5, got ${this.leadFraction}`);
    this.calendar = new WindowCalendar(plan.windows ?? [], plan.timezone ?? 'UTC');
    this.active = this.calendar.activeAt(now);
    this.changeAt = this.calendar.nextChangeAfter(now);
  }

  /** The next instant at which a window may open or close (Infinity without windows). */
  get nextChangeAt(): number {
    return this.changeAt;
  }

  /** Moves the window state to `now` if a boundary was reached; true when some window opened or closed. */
  advance(now: number): boolean {
    if (now < this.changeAt) return false;
    const before = this.active;
    this.active = this.calendar.activeAt(now);
    this.changeAt = this.calendar.nextChangeAfter(now);
    return this.active.some((a, i) => a !== before[i]);
  }

  /** The plan's target for a priority, seconds (before area overrides and windows). */
  baseTargetS(priority: Priority): number {
    return this.plan.targets[priority];
  }

  /** Effective target of a camera now, ms: the shortest active matching window's, else the area's or priority's. */
  targetMs(id: string, priority: Priority, areaType: string): number {
    let windowMs = Number.POSITIVE_INFINITY;
    this.calendar.windows.forEach((w, i) => {
      if (this.active[i] && w.targetMs < windowMs && this.calendar.matches(w, id, areaType)) windowMs = w.targetMs;
    });
    if (windowMs !== Number.POSITIVE_INFINITY) return windowMs;
    return (this.plan.areaTargets?.[areaType]?.[priority] ?? this.plan.targets[priority]) * 1000;
  }

  /** Names of the windows open at the last instant asked about. */
  activeWindowNames(): string[] {
    return this.calendar.windows.filter((_, i) => this.active[i]).map((w) => w.name);
  }
}
