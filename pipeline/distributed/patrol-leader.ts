import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { createLogger, type Logger } from '../log.ts';
import { PatrolScheduler } from '../patrol/patrol-scheduler.ts';
import type { SchedulerCamera, SchedulerPlan } from '../patrol/types.ts';
import { LeaderElection } from './leader-election.ts';
import { PatrolStore } from './patrol-store.ts';
import { closeAll } from '../lifecycle/close-all.ts';
import { closeRedis, createRedis } from './redis-connection.ts';
import { type VisitJobData, VisitJobDataSchema, type VisitJobResult, VisitJobResultSchema } from './visit-job.ts';

/** Options for {@link PatrolLeader}. */
export interface PatrolLeaderOptions {
  readonly redisUrl: string;
  /** Redis key prefix shared by every process of one deployment. */
  readonly prefix: string;
  /** BullMQ queue carrying visit jobs. */
  readonly queueName: string;
  readonly cameras: readonly SchedulerCamera[];
  readonly plan: SchedulerPlan;
  /** Dispatch loop period, ms. Default 200. */
  readonly tickMs?: number;
  /** Leader lease, ms. Default 5000. */
  readonly leaseMs?: number;
  /** Run state used when Redis has none yet (first start). Default 'running'. */
  readonly initialState?: 'running' | 'paused';
}

/** Events a leader emits (for the CLI's progress line and metrics). */
export interface PatrolLeaderEvents {
  elected: [];
  lost: [];
  dispatched: [cameraId: string, jobId: string];
  completed: [result: VisitJobResult];
  error: [Error];
}

/**
 * The patrol's single active scheduler. Every candidate process campaigns through a Redis
 * lease; the leader rebuilds the scheduler from Redis (last visits, queued jobs, run state),
 * then keeps the visit queue filled up to the live workers' capacity and learns outcomes from
 * queue events. When it dies another candidate takes over within about one lease.
 */
export class PatrolLeader extends EventEmitter<PatrolLeaderEvents> {
  private readonly log: Logger = createLogger('patrol-leader');
  private readonly redis: Redis;
  private readonly store: PatrolStore;
  private readonly queue: Queue<VisitJobData, VisitJobResult>;
  private readonly events: QueueEvents;
  private readonly election: LeaderElection;
  private scheduler: PatrolScheduler | null = null;
  private cameras: readonly SchedulerCamera[];
  private plan: SchedulerPlan;
  /** Cameras with a job in the queue or being visited -> job id. */
  private readonly inFlight = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private lastStatusAt = 0;
  /** Run state seen at the last tick (to act once on a change to stopped). */
  private lastState: string | undefined;
  private closed = false;
  private seq = 0;
  /** The override text last applied (null: none), to re-plan only when it changes. */
  private appliedOverride: string | null = null;

  constructor(private readonly options: PatrolLeaderOptions) {
    super();
    this.cameras = options.cameras;
    this.plan = options.plan;
    const onError = (err: Error): void => {
      this.log.warn({ err: err.message }, 'redis connection error');
    };
    this.redis = createRedis(options.redisUrl, 'worker', onError);
    this.store = new PatrolStore(this.redis, options.prefix);
    const connection = { url: options.redisUrl, maxRetriesPerRequest: null };
    this.queue = new Queue(options.queueName, { connection, prefix: options.prefix });
    this.queue.on('error', onError);
    this.events = new QueueEvents(options.queueName, { connection, prefix: options.prefix });
    this.events.on('error', onError);
    this.events.on('completed', ({ returnvalue }) => this.onCompleted(returnvalue as unknown));
    this.events.on('failed', ({ jobId }) => void this.onJobFailed(jobId));
    this.election = new LeaderElection(this.redis, { key: this.store.key('leader'), leaseMs: options.leaseMs ?? 5000, name: `${hostname()}:${process.pid}` });
    this.election.on('error', onError);
    this.election.on('elected', () => this.onElected());
    this.election.on('lost', () => this.stepDown());
  }

  /** True while this process is the active scheduler. */
  get isLeader(): boolean {
    return this.election.isLeader && this.scheduler !== null;
  }

  /** Starts campaigning; the loop runs only while leading. */
  start(): void {
    this.election.start();
  }

  /** The scheduler while leading (for in-process status), else null. */
  get activeScheduler(): PatrolScheduler | null {
    return this.scheduler;
  }

  /** Changes cameras and plan without a restart; history of remaining cameras is kept. */
  update(cameras: readonly SchedulerCamera[], plan: SchedulerPlan): void {
    this.cameras = cameras;
    this.plan = plan;
    const now = Date.now();
    this.scheduler?.updatePlan(this.effectivePlan(), now);
    this.scheduler?.updateCameras(cameras, now);
  }

  /** The configured plan with the command center's target override (if any) on top. */
  private effectivePlan(): SchedulerPlan {
    if (!this.appliedOverride) return this.plan;
    const targets = PatrolStore.parsePlanOverride(this.appliedOverride);
    if (!targets) {
      this.log.warn('the stored revisit-target override does not parse: ignored');
      return this.plan;
    }
    return { ...this.plan, targets: { ...this.plan.targets, ...targets } };
  }

  /** Takes over; when that fails (Redis away mid-way), tries again while this process still holds the lease. */
  private onElected(): void {
    this.takeOver().catch((err: unknown) => {
      this.log.error({ err: (err as Error).message }, 'taking over as patrol leader failed: retrying');
      if (this.listenerCount('error')) this.emit('error', err as Error);
      setTimeout(() => {
        if (!this.closed && this.election.isLeader && !this.scheduler) this.onElected();
      }, 1000).unref();
    });
  }

  private async takeOver(): Promise<void> {
    const now = Date.now();
    this.appliedOverride = await this.store.getPlanOverrideRaw();
    const scheduler = new PatrolScheduler(this.cameras, this.effectivePlan(), { now });
    scheduler.restore(await this.store.getLastVisits());
    if ((await this.redis.exists(this.store.key('state'))) === 0) await this.store.setRunState(this.options.initialState ?? 'running');
    // Jobs queued or running under the previous leader stay in flight: no second visit.
    const pending = await this.queue.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
    this.inFlight.clear();
    for (const job of pending) {
      const data = VisitJobDataSchema.safeParse(job?.data);
      if (data.success && scheduler.markInFlight(data.data.cameraId)) this.inFlight.set(data.data.cameraId, job.id ?? '');
    }
    this.scheduler = scheduler;
    this.log.info({ cameras: this.cameras.length, pending: this.inFlight.size }, 'became patrol leader');
    this.emit('elected');
    this.loop();
  }

  private stepDown(): void {
    if (!this.scheduler) return;
    this.scheduler = null;
    clearTimeout(this.timer);
    this.timer = undefined;
    // Closing gives the lease up on purpose: not a loss worth a warning or an event.
    if (this.closed) {
      this.log.info('stepped down as patrol leader (closing)');
      return;
    }
    this.log.warn('lost patrol leadership');
    this.emit('lost');
  }

  private loop(): void {
    if (this.closed || !this.scheduler || this.timer) return;
    const run = (): void => {
      this.timer = undefined;
      this.ticking = this.tick()
        .catch((err: unknown) => {
          this.log.warn({ err: (err as Error).message }, 'patrol tick failed');
          if (this.listenerCount('error')) this.emit('error', err as Error);
        })
        .finally(() => {
          if (!this.closed && this.scheduler) this.timer = setTimeout(run, this.options.tickMs ?? 200);
        });
    };
    run();
  }

  private async tick(): Promise<void> {
    const scheduler = this.scheduler;
    if (!scheduler) return;
    const state = await this.store.getRunState();
    const override = await this.store.getPlanOverrideRaw();
    if (override !== this.appliedOverride) {
      this.appliedOverride = override;
      scheduler.updatePlan(this.effectivePlan(), Date.now());
      this.log.info({ override }, 'revisit targets changed');
    }
    if (state === 'running' && scheduler.paused) scheduler.resume();
    if (state !== 'running' && !scheduler.paused) scheduler.pause();
    if (state === 'stopped' && this.lastState !== 'stopped') await this.dropQueuedVisits(scheduler);
    this.lastState = state;
    for (const id of await this.store.takeVisitNowRequests()) {
      if (this.cameras.some((c) => c.id === id)) scheduler.visitNow(id);
    }
    const { workers, slots } = await this.store.liveCapacity();
    const now = Date.now();
    // Visits of a killed worker stay in flight until BullMQ's stalled-job check hands them on (its
    // job lock must run out first); they hold no live slot, so they do not count against capacity.
    const orphaned = state === 'running' && this.inFlight.size >= slots ? await this.store.lockedByDeadWorkers([...this.inFlight.keys()]) : 0;
    while (state === 'running' && this.inFlight.size - orphaned < slots && this.scheduler === scheduler) {
      const cameraId = scheduler.next(now);
      if (cameraId === null) break;
      const jobId = `${cameraId}.${now}.${this.seq++}`;
      this.inFlight.set(cameraId, jobId);
      try {
        await this.queue.add('visit', { cameraId, queuedAt: now }, { jobId, attempts: 3, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: 1000, removeOnFail: 1000 });
        this.emit('dispatched', cameraId, jobId);
      } catch (err) {
        this.inFlight.delete(cameraId);
        scheduler.release(cameraId);
        throw err;
      }
    }
    if (now - this.lastStatusAt >= 1000) {
      this.lastStatusAt = now;
      await this.store.publishStatus({ leader: this.election.token, at: now, state, capacity: slots, workers, scheduler: scheduler.status(now) }, 5000);
    }
  }

  /**
   * Stop means stop: visits waiting in the queue are removed (visits already running finish);
   * nothing more is handed out until the patrol is started again.
   */
  private async dropQueuedVisits(scheduler: PatrolScheduler): Promise<void> {
    const jobs = await this.queue.getJobs(['waiting', 'delayed', 'prioritized']);
    let dropped = 0;
    for (const job of jobs) {
      if (!job) continue;
      const removed = await job.remove().then(
        () => true,
        () => false, // taken by a worker meanwhile: it runs to its end
      );
      if (!removed) continue;
      dropped++;
      const data = VisitJobDataSchema.safeParse(job.data);
      if (!data.success) continue;
      const cameraId = data.data.cameraId;
      if (this.inFlight.get(cameraId) === job.id) {
        this.inFlight.delete(cameraId);
        scheduler.release(cameraId);
      }
    }
    this.log.info({ dropped }, 'patrol stopped: queued visits dropped');
  }

  private onCompleted(value: unknown): void {
    let raw: unknown = value;
    if (typeof value === 'string') {
      try {
        raw = JSON.parse(value);
      } catch {
        raw = undefined;
      }
    }
    const parsed = VisitJobResultSchema.safeParse(raw);
    if (!parsed.success) {
      this.log.warn('a visit job completed with a result this version cannot read: ignored');
      return;
    }
    const result = parsed.data;
    this.inFlight.delete(result.cameraId);
    const scheduler = this.scheduler;
    if (scheduler) {
      scheduler.complete(result.cameraId, result.ok ? 'ok' : 'failed');
      if (result.eligibleAt && result.eligibleAt > Date.now()) scheduler.setEligibleAt(result.cameraId, result.eligibleAt);
      if (result.ok) void this.store.setLastVisit(result.cameraId, result.finishedAt).catch(() => undefined);
    }
    this.emit('completed', result);
  }

  /** A job failed for good (retries exhausted, not a camera failure): free the camera. */
  private async onJobFailed(jobId: string): Promise<void> {
    const job = await this.queue.getJob(jobId).catch(() => undefined);
    if (!job || (job.attemptsMade ?? 0) < (job.opts.attempts ?? 1)) return;
    const data = VisitJobDataSchema.safeParse(job.data);
    if (!data.success) return;
    const cameraId = data.data.cameraId;
    if (this.inFlight.get(cameraId) !== jobId) return;
    this.inFlight.delete(cameraId);
    this.scheduler?.complete(cameraId, 'failed');
  }

  /** Stops leading and campaigning, closes queue, events and Redis. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    // With Redis away a tick or a BullMQ close can wait forever: each step has a deadline.
    await closeAll(
      [
        { name: 'scheduler tick', run: () => this.ticking },
        { name: 'leader election', run: () => this.election.close() },
        { name: 'queue events', run: () => this.events.close(), force: () => this.events.disconnect() },
        { name: 'queue', run: () => this.queue.close(), force: () => this.queue.disconnect() },
        { name: 'redis', run: () => closeRedis(this.redis) },
      ],
      this.log,
      2000,
    );
    this.scheduler = null;
  }
}
