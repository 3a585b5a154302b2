import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { closeRedis, createRedis } from '../distributed/redis-connection.ts';
import { closeAll } from '../lifecycle/close-all.ts';
import { createLogger, type Logger } from '../log.ts';
import type { DispatchPayloadV1 } from './dispatch-payload.ts';
import { assertDispatchPayload, dispatchPayloadProblems } from './payload-validator.ts';
import { Spool } from './spool.ts';

/** Options of a Dispatcher. */
export interface DispatcherOptions {
  /** Redis URL of the queue. */
  readonly redisUrl: string;
  /** Queue name. Default "dispatch". */
  readonly queueName?: string;
  /** BullMQ key prefix. Default "bull" (BullMQ's own default). */
  readonly prefix?: string;
  /** Folder of the on-disk spool for jobs that could not be added; one per process. */
  readonly spoolDir: string;
  /** How long one add may take before the job is spooled instead, ms. Default 2000. */
  readonly addTimeoutMs?: number;
  /** First retry of a spool delivery after a failure, ms; doubles up to `retryMaxMs`. Default 500. */
  readonly retryMinMs?: number;
  /** Longest wait between spool delivery attempts, ms. Default 30000. */
  readonly retryMaxMs?: number;
  /**
   * How long finished jobs stay in Redis, seconds. Default 30 days. A job id is deduplicated only
   * while its job exists, so this is also the window in which a redelivery cannot add a case twice.
   */
  readonly keepFinishedS?: number;
  /** Called once a case's job exists (added now, or found already there), e.g. CaseStore.markDispatched. Errors are logged. */
  readonly onDelivered?: (caseId: string, at: number) => Promise<unknown> | void;
  readonly log?: Logger;
}

/** Where dispatch put a case: on the queue now, or in the spool for delivery when Redis is back. */
export type DispatchOutcome = 'queued' | 'spooled';

/** Result of one spool delivery pass. */
export interface FlushResult {
  readonly delivered: number;
  /** Still in the spool (Redis still unreachable). */
  readonly remaining: number;
}

/** The add did not finish in time. */
class AddTimeoutError extends Error {
  constructor(ms: number) {
    super(`queue add took longer than ${ms} ms`);
    this.name = 'AddTimeoutError';
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AddTimeoutError(ms)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * Producer of the BullMQ `dispatch` queue. Each case is one job whose id is the case id, so adding
 * a case again (a retry, a redelivery after a crash) never makes a second job. The producer fails
 * fast: when Redis does not answer, the payload goes to an on-disk spool and dispatch returns
 * 'spooled' without throwing; a background flusher delivers the spool in case-id order with
 * exponential backoff, deleting each file only after its add succeeded. While anything is spooled,
 * new cases queue behind it in the spool, so delivery keeps opening order.
 */
export class Dispatcher {
  readonly queueName: string;
  private readonly redis: Redis;
  private readonly queue: Queue<DispatchPayloadV1>;
  private readonly spool: Spool;
  private readonly log: Logger;
  private readonly spooled = new Set<string>();
  private readonly loaded: Promise<void>;
  private flushing: Promise<FlushResult> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private delayMs: number;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: DispatcherOptions) {
    this.queueName = options.queueName ?? 'dispatch';
    this.log = options.log ?? createLogger('dispatch');
    this.delayMs = options.retryMinMs ?? 500;
    this.redis = createRedis(options.redisUrl, 'producer', (err) => this.log.debug({ err: err.message }, 'redis connection error'));
    this.queue = new Queue<DispatchPayloadV1>(this.queueName, { connection: this.redis, ...(options.prefix ? { prefix: options.prefix } : {}) });
    this.queue.on('error', (err: Error) => this.log.debug({ err: err.message }, 'dispatch queue error'));
    this.spool = new Spool(options.spoolDir);
    this.loaded = this.spool.keys().then((keys) => {
      for (const k of keys) this.spooled.add(k);
      if (keys.length) {
        this.log.info({ spooled: keys.length }, 'spooled cases from an earlier run: delivering');
        this.schedule(0);
      }
    });
    this.loaded.catch((err: unknown) => this.log.error({ err: (err as Error).message, dir: options.spoolDir }, 'cannot read the dispatch spool'));
  }

  /** True while the producer connection to Redis is up (dispatch adds directly). */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  /** Cases waiting in the spool right now. */
  get spooledCount(): number {
    return this.spooled.size;
  }

  /**
   * Adds a case's job, or spools it when Redis is unreachable. Throws only for an invalid payload
   * (DispatchPayloadError, a bug) or when the spool cannot be written either (disk full).
   */
  async dispatch(payload: DispatchPayloadV1): Promise<DispatchOutcome> {
    if (this.closing) throw new Error('dispatcher is closed');
    assertDispatchPayload(payload);
    await this.loaded;
    if (this.spooled.size === 0 && this.redis.status === 'ready') {
      try {
        await this.add(payload);
        await this.delivered(payload.caseId);
        return 'queued';
      } catch (err) {
        this.log.warn({ caseId: payload.caseId, err: (err as Error).message }, 'cannot add the dispatch job: spooling it');
      }
    }
    await this.spool.put(payload.caseId, payload);
    this.spooled.add(payload.caseId);
    this.schedule(this.flushing ? this.delayMs : 0);
    return 'spooled';
  }

  /** Delivers what is spooled, in order, until done or an add fails. One pass at a time. */
  flush(): Promise<FlushResult> {
    this.flushing ??= this.deliverSpool().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Stops the flusher (the spool stays on disk for the next start), then the queue and its connection. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearTimeout(this.timer);
      await closeAll(
        [
          { name: 'dispatch spool load', run: () => this.loaded },
          { name: 'dispatch flush', run: () => this.flushing },
          { name: 'dispatch queue', run: () => this.queue.close(), force: () => this.queue.disconnect() },
          { name: 'dispatch redis', run: () => closeRedis(this.redis) },
        ],
        this.log,
        2000,
      );
    })();
    return this.closing;
  }

  private async add(p: DispatchPayloadV1): Promise<void> {
    const keep = { age: this.options.keepFinishedS ?? 30 * 86_400 };
    const job = this.queue.add(p.eventType.id, p, { jobId: p.caseId, priority: p.priority, removeOnComplete: keep, removeOnFail: keep });
    // After a timeout the add may still finish when Redis returns; the job id makes that harmless.
    job.catch(() => undefined);
    await withTimeout(job, this.options.addTimeoutMs ?? 2000);
  }

  private async delivered(caseId: string): Promise<void> {
    try {
      await this.options.onDelivered?.(caseId, Date.now());
    } catch (err) {
      this.log.warn({ caseId, err: (err as Error).message }, 'job added, but recording the dispatch failed');
    }
  }

  private async deliverSpool(): Promise<FlushResult> {
    await this.loaded;
    let delivered = 0;
    for (const key of await this.spool.keys()) {
      if (this.closing) break;
      let data: unknown;
      try {
        data = await this.spool.read(key);
      } catch (err) {
        data = err;
      }
      if (data === undefined) {
        this.spooled.delete(key);
        continue;
      }
      const problems = data instanceof Error ? [data.message] : dispatchPayloadProblems(data);
      if (problems.length) {
        this.log.error({ caseId: key, problems }, 'spooled dispatch file is damaged: moved aside as .bad');
        await this.spool.quarantine(key);
        this.spooled.delete(key);
        continue;
      }
      try {
        if (this.redis.status !== 'ready') throw new Error(`redis connection is ${this.redis.status}`);
        await this.add(data as DispatchPayloadV1);
      } catch (err) {
        this.log.debug({ caseId: key, err: (err as Error).message }, 'spool delivery failed; will retry');
        return { delivered, remaining: this.spooled.size };
      }
      await this.spool.remove(key);
      this.spooled.delete(key);
      delivered++;
      await this.delivered(key);
    }
    return { delivered, remaining: this.spooled.size };
  }

  /** Runs a flush after `ms`, then keeps retrying with backoff while anything is left. */
  private schedule(ms: number): void {
    if (this.closing || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().then(
        (r) => this.afterFlush(r),
        (err: unknown) => {
          this.log.error({ err: (err as Error).message }, 'spool delivery crashed; will retry');
          this.afterFlush({ delivered: 0, remaining: this.spooled.size });
        },
      );
    }, ms);
    this.timer.unref();
  }

  private afterFlush(r: FlushResult): void {
    const min = this.options.retryMinMs ?? 500;
    if (r.delivered > 0) this.log.info({ delivered: r.delivered, remaining: r.remaining }, 'delivered spooled cases');
    if (r.remaining === 0) {
      this.delayMs = min;
      return;
    }
    this.delayMs = r.delivered > 0 ? min : Math.min(this.delayMs * 2, this.options.retryMaxMs ?? 30_000);
    this.schedule(this.delayMs);
  }
}
