import { type CameraState, newCameraState } from './camera-state.ts';
import { PatrolPlanError, UnknownCameraError } from './errors.ts';
import { IntervalLog } from './interval-log.ts';
import { PlanTargets } from './plan-targets.ts';
import { ReadyQueues } from './ready-queues.ts';
import { cameraCounts, priorityStatus } from './scheduler-status.ts';
import {
  type Priority,
  type SchedulerCamera,
  type SchedulerPlan,
  type SchedulerStatus,
  type VisitNowResult,
  type VisitOutcome,
} from './types.ts';

/** Construction options of a PatrolScheduler. */
export interface SchedulerOptions {
  /** The current time, ms on the caller's clock: anchors first visits and the time-window state. */
  readonly now: number;
  /** Recent revisit intervals kept per priority for the status quantiles. Default 4096. */
  readonly recentIntervals?: number;
}

/**
 * Decides which camera to visit next. Pure logic without I/O or timers: every call that depends
 * on time takes `now` (ms), so the same code runs live, on a leader behind a queue, and in the
 * simulator.
 *
 * Policy (earliest deadline first with priorities):
 * - a camera's deadline is one effective target after its last visit attempt (see `complete`);
 *   it is due `leadFraction` x target before that, a margin for waiting on a free slot;
 * - a camera not served for `starvationFactor` x its target goes first, most starving first;
 * - otherwise due key cameras by deadline, then normal, then low;
 * - else nothing (next() returns null): cameras are not visited faster than they are due.
 * Decisions cost O(log n) (heaps keyed by deadline); time windows are re-evaluated only when one
 * opens or closes.
 */
export class PatrolScheduler {
  private cams: CameraState[] = [];
  private byId = new Map<string, CameraState>();
  private targets: PlanTargets;
  private queues: ReadyQueues;
  private readonly requests = new Set<string>();
  private readonly logs: Record<Priority, IntervalLog>;
  private isPaused = false;
  /** The latest `now` any call has passed in: the default start of visits adopted by markInFlight. */
  private clock: number;

  /** @throws PatrolPlanError on duplicate camera ids or an invalid plan. */
  constructor(cameras: readonly SchedulerCamera[], plan: SchedulerPlan, options: SchedulerOptions) {
    const keep = options.recentIntervals ?? 4096;
    this.logs = { key: new IntervalLog(keep), normal: new IntervalLog(keep), low: new IntervalLog(keep) };
    this.clock = options.now;
    this.targets = new PlanTargets(plan, options.now);
    this.queues = this.rebuild(cameras, options.now);
  }

  /** Whether next() is held back by pause(). */
  get paused(): boolean {
    return this.isPaused;
  }

  /** Stops handing out visits (visits in flight still complete normally). */
  pause(): void {
    this.isPaused = true;
  }

  /** Hands out visits again after pause(). */
  resume(): void {
    this.isPaused = false;
  }

  /**
   * The camera to visit now, marked in flight, or null (paused, or nothing due). A pending
   * visitNow request comes first; it also lifts a hold from setEligibleAt (an operator's retry).
   */
  next(now: number): string | null {
    if (this.isPaused) return null;
    this.advance(now);
    for (const id of this.requests) {
      this.requests.delete(id);
      const c = this.byId.get(id);
      if (c && c.enabled && c.inFlightSince === null) return this.dispatch(c, now);
    }
    const index = this.queues.pick(now);
    return index === undefined ? null : this.dispatch(this.cams[index]!, now);
  }

  /**
   * The earliest instant at which next() may return a camera: `now` or earlier when something is
   * ready, +Infinity when paused or nothing will ever be due. A driver with free slots sleeps
   * until then (or until a visit completes or a command arrives).
   */
  nextDueAt(now: number): number {
    if (this.isPaused) return Number.POSITIVE_INFINITY;
    if (this.requests.size > 0) return now;
    return Math.min(this.queues.nextPickAt(), this.targets.nextChangeAt);
  }

  /**
   * Ends a visit handed out by next(); false when the camera is not in flight (unknown, removed,
   * or already completed). The next deadline counts from the visit's start whatever the outcome:
   * a failed visit used its turn, so a broken camera costs at most one slot per target and is
   * never retried in a tight loop (longer backoff comes from outside via setEligibleAt). Only an
   * 'ok' visit refreshes the camera's last visit and enters the revisit-interval statistics, so a
   * failing camera shows as overdue.
   */
  complete(cameraId: string, outcome: VisitOutcome): boolean {
    const c = this.byId.get(cameraId);
    if (!c || c.inFlightSince === null) return false;
    const start = c.inFlightSince;
    c.inFlightSince = null;
    c.lastAttempt = Math.max(c.lastAttempt ?? start, start);
    if (outcome === 'ok') {
      if (c.lastVisit !== null && start > c.lastVisit) this.logs[c.priority].add((start - c.lastVisit) / 1000);
      c.lastVisit = Math.max(c.lastVisit ?? start, start);
    }
    this.queues.place(c);
    return true;
  }

  /**
   * Marks a camera in flight without next(): a new leader adopting visits still queued or
   * running under the previous one, so they are not handed out twice. `since` is the visit's
   * start (ms; default the latest time this scheduler was given). False for an unknown camera or
   * one already in flight.
   */
  markInFlight(cameraId: string, since?: number): boolean {
    const c = this.byId.get(cameraId);
    if (!c || c.inFlightSince !== null) return false;
    this.dispatch(c, since ?? this.clock);
    return true;
  }

  /** Returns an in-flight camera unvisited (its job was lost or cancelled); false when not in flight. */
  release(cameraId: string): boolean {
    const c = this.byId.get(cameraId);
    if (!c || c.inFlightSince === null) return false;
    c.inFlightSince = null;
    this.queues.place(c);
    return true;
  }

  /**
   * Asks for a visit of this camera before any other. Not queued for a disabled camera or one
   * already being visited (that visit answers the request).
   * @throws UnknownCameraError
   */
  visitNow(cameraId: string): VisitNowResult {
    const c = this.camera(cameraId);
    if (!c.enabled) return 'disabled';
    if (c.inFlightSince !== null) return 'in-flight';
    if (this.requests.has(cameraId)) return 'already-queued';
    this.requests.add(cameraId);
    return 'queued';
  }

  /**
   * Holds a camera back until `timeMs` (quarantine / backoff decided by the health tracker); a
   * time in the past lifts the hold. The camera's deadline is unchanged: once the hold ends it
   * is visited as soon as it is due.
   * @throws UnknownCameraError
   */
  setEligibleAt(cameraId: string, timeMs: number): void {
    const c = this.camera(cameraId);
    c.heldUntil = timeMs;
    this.queues.place(c);
  }

  /**
   * Replaces the camera list without a restart: cameras that stay keep their history (last
   * visit, in-flight visit, hold), new ones start fresh at `now`, removed ones are forgotten
   * (completing their in-flight visit later returns false).
   * @throws PatrolPlanError on duplicate ids.
   */
  updateCameras(cameras: readonly SchedulerCamera[], now: number): void {
    this.clock = Math.max(this.clock, now);
    this.queues = this.rebuild(cameras, now);
    for (const id of this.requests) if (!this.byId.has(id)) this.requests.delete(id);
  }

  /**
   * Replaces the plan (targets, windows, time zone, factors) without a restart; every camera's
   * target is recomputed for `now`, history is kept.
   * @throws PatrolPlanError
   */
  updatePlan(plan: SchedulerPlan, now: number): void {
    this.clock = Math.max(this.clock, now);
    this.targets = new PlanTargets(plan, now);
    this.queues = this.rebuild(this.cams, now);
  }

  /**
   * Seeds last-visit times (ms), e.g. on a new leader from a shared store; unknown ids are
   * ignored. Returns how many cameras were updated.
   */
  restore(lastVisits: Readonly<Record<string, number>>): number {
    let applied = 0;
    for (const [id, at] of Object.entries(lastVisits)) {
      const c = this.byId.get(id);
      if (!c || !Number.isFinite(at)) continue;
      c.lastVisit = Math.max(c.lastVisit ?? at, at);
      c.lastAttempt = Math.max(c.lastAttempt ?? at, at);
      this.queues.place(c);
      applied++;
    }
    return applied;
  }

  /** Start time (ms) of each camera's last successful visit, for cameras visited at least once. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.cams) if (c.lastVisit !== null) out[c.id] = c.lastVisit;
    return out;
  }

  /** Counts and achieved intervals at `now` (O(n): for the API and metrics, not per decision). */
  status(now: number): SchedulerStatus {
    this.advance(now);
    return {
      paused: this.isPaused,
      ...cameraCounts(this.cams, now),
      due: this.queues.countDue(now),
      held: this.queues.heldCount,
      requested: this.requests.size,
      activeWindows: this.targets.activeWindowNames(),
      perPriority: priorityStatus(this.cams, this.logs, (p) => this.targets.baseTargetS(p), now),
    };
  }

  private camera(id: string): CameraState {
    const c = this.byId.get(id);
    if (!c) throw new UnknownCameraError(id);
    return c;
  }

  private dispatch(c: CameraState, now: number): string {
    this.queues.remove(c.index);
    c.heldUntil = Number.NEGATIVE_INFINITY;
    c.inFlightSince = now;
    return c.id;
  }

  /** Ends holds that are over and, at a window boundary, recomputes targets. */
  private advance(now: number): void {
    this.clock = Math.max(this.clock, now);
    this.queues.releaseHeld(now);
    if (!this.targets.advance(now)) return;
    for (const c of this.cams) {
      const t = this.targets.targetMs(c.id, c.priority, c.areaType);
      if (t === c.targetMs) continue;
      c.targetMs = t;
      this.queues.place(c);
    }
  }

  /** Builds the camera table (keeping the history of cameras that stay) and fresh queues. */
  private rebuild(cameras: readonly SchedulerCamera[], now: number): ReadyQueues {
    const cams: CameraState[] = [];
    const byId = new Map<string, CameraState>();
    for (const cam of cameras) {
      if (byId.has(cam.id)) throw new PatrolPlanError(`duplicate camera id "${cam.id}"`);
      const old = this.byId.get(cam.id);
      const fresh = newCameraState(cam, cams.length, now);
      const c: CameraState = old
        ? { ...old, index: fresh.index, priority: fresh.priority, areaType: fresh.areaType, enabled: fresh.enabled }
        : fresh;
      c.targetMs = this.targets.targetMs(c.id, c.priority, c.areaType);
      cams.push(c);
      byId.set(c.id, c);
    }
    this.cams = cams;
    this.byId = byId;
    return new ReadyQueues(cams, this.targets.starvationFactor, this.targets.leadFraction);
  }
}
