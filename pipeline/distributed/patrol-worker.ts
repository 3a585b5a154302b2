import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DelayedError, type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { createLogger, type Logger } from '../log.ts';
import { lockToken, PatrolStore, type VisitRecord } from './patrol-store.ts';
import { closeAll } from '../lifecycle/close-all.ts';
import { closeRedis, createRedis } from './redis-connection.ts';
import { type VisitJobData, VisitJobDataSchema, type VisitJobResult } from './visit-job.ts';
import type { StoredHealthSnapshot } from '../../streams/camera-health.ts';
import type { CameraVisitor, VisitAnalysis } from '../visit/camera-visitor.ts';
import { type StorageError, storageErrorOf } from '../storage/storage-errors.ts';
import type { StorageGuard } from '../storage/storage-guard.ts';

/** Options for {@link PatrolWorker}. */
export interface PatrolWorkerOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly queueName: string;
  /** Visits this process carries at once (connecting to the next camera while analysing the last). */
  readonly slots: number;
  /** Does one visit: connect, frames, detections, health. */
  readonly visitor: CameraVisitor;
  /** Folder for `latest/<cameraId>.jpg`. */
  readonly storageDir: string;
  /** Longest a visit may take, ms (the per-camera lock outlives it by a margin). */
  readonly visitTimeoutMs: number;
  /** How long a dead worker's visit waits before another worker retries it, ms. Default 10000. */
  readonly lockDurationMs?: number;
  /** Worker id shown in status and visit records. Default host:pid:random. */
  readonly workerId?: string;
  /**
   * How long a visit whose camera is locked by another live visit is put back (delayed) before it
   * is tried again, ms. Its slot goes to another camera meanwhile. Default 1000.
   */
  readonly lockRetryMs?: number;
  /**
   * The next stage (rules -> cases -> dispatch), run after the visit is recorded, outside the
   * visit slot and the camera lock: the slot takes the next camera at once. One camera's visits go
   * through it in order. Its failure is logged and does not fail the visit: the next visit
   * confirms again.
   */
  readonly afterVisit?: (analysis: VisitAnalysis, startedAt: number) => Promise<unknown>;
  /**
   * Guards the storage folder: a write refused (free-space floor) or failed fails the visit with
   * its `STORAGE_*` code, and the event stage is skipped for it (its evidence could not be kept).
   */
  readonly storage?: StorageGuard;
  /**
   * Visits whose next stage may be pending at once before a visit waits for it in its slot
   * (back-pressure when that stage falls behind). Default 4 x slots.
   */
  readonly maxPendingAfterVisit?: number;
}

/**
 * A patrol worker: consumes visit jobs from the BullMQ queue, `slots` at a time. Each job takes
 * the camera's Redis lock (no camera is visited twice at once), runs the visit, stores the latest
 * frame, health and the visit record (with its detections, for the rules stage), and returns the
 * outcome to the leader. A camera failure is a normal outcome, not a job failure; a worker that
 * dies mid-visit loses its job lock and BullMQ hands the job to another worker.
 */
export class PatrolWorker extends EventEmitter<{ visit: [VisitRecord]; error: [Error] }> {
  readonly workerId: string;
  private readonly log: Logger = createLogger('patrol-worker');
  private readonly redis: Redis;
  private readonly store: PatrolStore;
  private worker: Worker<VisitJobData, VisitJobResult> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;
  /** The next stage's work per camera (the tail of that camera's chain). */
  private readonly after = new Map<string, Promise<void>>();
  private pendingAfter = 0;

  constructor(private readonly options: PatrolWorkerOptions) {
    super();
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.redis = createRedis(options.redisUrl, 'worker', (err) => this.log.warn({ err: err.message }, 'redis connection error'));
    this.store = new PatrolStore(this.redis, options.prefix);
  }

  /** Starts consuming jobs and announcing this worker's capacity. */
  start(): void {
    if (this.worker || this.closed) return;
    const lockDuration = this.options.lockDurationMs ?? 10_000;
    this.worker = new Worker<VisitJobData, VisitJobResult>(this.options.queueName, (job, token) => this.process(job, token), {
      connection: { url: this.options.redisUrl, maxRetriesPerRequest: null },
      prefix: this.options.prefix,
      concurrency: this.options.slots,
      lockDuration,
      stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)),
      maxStalledCount: 2,
    });
    this.worker.on('error', (err) => this.log.warn({ err: err.message }, 'queue worker error'));
    const beat = (): void => {
      void this.store.heartbeat(this.workerId, this.options.slots, 6000).catch(() => undefined);
    };
    beat();
    this.heartbeat = setInterval(beat, 2000);
  }

  private async process(job: Job<VisitJobData, VisitJobResult>, queueToken: string | undefined): Promise<VisitJobResult> {
    const { cameraId } = VisitJobDataSchema.parse(job.data);
    const token = lockToken(this.workerId, String(job.id));
    const ttl = this.options.visitTimeoutMs + 15_000;
    let release = await this.store.lockCamera(cameraId, token, ttl);
    // Held by a worker whose heartbeat is gone (killed mid-visit): its lock need not run out.
    if (!release && (await this.store.releaseLockOfDeadWorker(cameraId))) {
      this.log.info({ camera: cameraId }, 'released the camera lock of a dead worker');
      release = await this.store.lockCamera(cameraId, token, ttl);
    }
    if (!release) {
      // Another live visit holds the camera (a retried job whose first worker is alive): give the
      // slot back and try again later instead of waiting inside it.
      await job.moveToDelayed(Date.now() + (this.options.lockRetryMs ?? 1000), queueToken);
      throw new DelayedError(`camera ${cameraId} is being visited by another worker`);
    }
    const startedAt = Date.now();
    try {
      // The lock goes as soon as the stream is closed: frames are analysed without it.
      const analysis = await this.options.visitor.visit(cameraId, { streamClosed: release });
      await release();
      const record = await this.recordOf(job, analysis, startedAt);
      await this.store.recordVisit(record);
      this.emit('visit', record);
      // A storage fault: the evidence could not be kept, so the next stage does not run for this visit.
      if (this.options.afterVisit && !record.errorCode?.startsWith('STORAGE_')) await this.queueAfterVisit(this.options.afterVisit, analysis, startedAt);
      return {
        cameraId,
        ok: record.ok,
        startedAt,
        finishedAt: record.finishedAt,
        frames: record.frames,
        detections: record.detections.reduce((n, f) => n + f.length, 0),
        ...(record.errorCode ? { errorCode: record.errorCode } : {}),
        health: analysis.health.state,
        eligibleAt: analysis.eligibleAt,
      };
    } finally {
      await release().catch(() => undefined);
    }
  }

  /**
   * Runs the next stage outside the visit slot, after the previous visit of the same camera has
   * gone through it. Waits in the slot only while too many visits are pending (back-pressure).
   */
  private async queueAfterVisit(stage: NonNullable<PatrolWorkerOptions['afterVisit']>, analysis: VisitAnalysis, startedAt: number): Promise<void> {
    const { cameraId } = analysis;
    const previous = this.after.get(cameraId) ?? Promise.resolve();
    this.pendingAfter++;
    const run = previous
      .then(() => stage(analysis, startedAt))
      .then(
        () => undefined,
        (err: unknown) => this.log.error({ camera: cameraId, err: (err as Error).message }, 'event stage failed for this visit'),
      )
      .finally(() => {
        this.pendingAfter--;
        if (this.after.get(cameraId) === run) this.after.delete(cameraId);
      });
    this.after.set(cameraId, run);
    if (this.pendingAfter > (this.options.maxPendingAfterVisit ?? 4 * this.options.slots)) await run;
  }

  /** Resolves once every visit's next stage started so far has finished. */
  async drainAfterVisit(): Promise<void> {
    while (this.after.size > 0) await Promise.all([...this.after.values()]);
  }

  private async recordOf(job: Job<VisitJobData, VisitJobResult>, a: VisitAnalysis, startedAt: number): Promise<VisitRecord> {
    let evidence: string | undefined;
    let fault: StorageError | undefined;
    if (a.latestJpeg) {
      try {
        evidence = await this.writeLatest(a.cameraId, a.latestJpeg);
      } catch (err) {
        const dir = join(this.options.storageDir, 'latest');
        fault = this.options.storage?.fail(err, dir) ?? storageErrorOf(err, dir);
        this.log.error({ camera: a.cameraId, code: fault.code, err: fault.message }, 'storage fault: visit failed');
      }
    }
    // A storage fault fails the visit (the camera itself worked: its health is left as it is).
    const failure = fault ? { errorCode: fault.code, error: fault.message } : a.errorCode ? { errorCode: a.errorCode, error: a.error ?? '' } : {};
    return {
      cameraId: a.cameraId,
      jobId: String(job.id),
      workerId: this.workerId,
      ok: a.ok && !fault,
      startedAt,
      finishedAt: Date.now(),
      ...failure,
      frames: a.frames,
      ...(a.sourceWidth ? { sourceWidth: a.sourceWidth, sourceHeight: a.sourceHeight ?? 0 } : {}),
      ...(a.firstFrameMs !== undefined ? { firstFrameMs: a.firstFrameMs } : {}),
      ...(a.model ? { model: a.model } : {}),
      detections: a.detections,
      ...(evidence ? { evidence } : {}),
    };
  }

  /** Writes the camera's latest frame atomically (the API never serves half a file); returns its storage path. */
  private async writeLatest(cameraId: string, jpeg: Buffer): Promise<string> {
    await this.options.storage?.beforeWrite();
    const dir = join(this.options.storageDir, 'latest');
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${cameraId}.${process.pid}.tmp`);
    try {
      await writeFile(tmp, jpeg);
      await rename(tmp, join(dir, `${cameraId}.jpg`));
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    this.options.storage?.succeeded();
    return `latest/${cameraId}.jpg`;
  }

  /** Visits this worker carries at once. */
  get slots(): number {
    return this.options.slots;
  }

  /** Health of every camera as stored in Redis (for progress displays). */
  healthSnapshot(): Promise<Record<string, StoredHealthSnapshot>> {
    return this.store.getAllHealth();
  }

  /** Stops taking jobs, lets running visits finish, leaves the worker set. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    await closeAll(
      [
        // Lets running visits finish (each is bounded by the visit timeout).
        { name: 'queue worker', run: () => this.worker?.close(), force: () => this.worker?.disconnect() },
        { name: 'event stage', run: () => this.drainAfterVisit() },
        { name: 'leave worker set', run: () => this.store.removeWorker(this.workerId) },
        { name: 'redis', run: () => closeRedis(this.redis) },
      ],
      this.log,
      this.options.visitTimeoutMs + 5_000,
    );
  }
}
