import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { CaseChanges } from '../cases/case-change-feed.ts';
import type { Database } from '../db/db-schema.ts';
import { closeRedis, createRedis } from '../distributed/redis-connection.ts';
import { createLogger, type Logger } from '../log.ts';
import type { DispatchPayloadV1 } from './dispatch-payload.ts';
import { dispatchPayloadProblems } from './payload-validator.ts';

/** Options of an OutboxRelay. */
export interface OutboxRelayOptions {
  readonly db: Kysely<Database>;
  /** Redis URL of the dispatch queue. */
  readonly redisUrl: string;
  /** BullMQ key prefix (config redis.prefix). */
  readonly prefix?: string;
  /** Queue name. Default "dispatch". */
  readonly queueName?: string;
  /** Rows per pass. Default 200. */
  readonly batch?: number;
  /**
   * Wait between passes when idle and no live `changes` source is heard, ms; also the shortest gap
   * between two passes a change starts (many writes in a burst make at most one pass per gap). Default 250.
   */
  readonly idleMs?: number;
  /**
   * Case changes that wake the relay (a new outbox row commits with its case change, so a change is
   * the signal to look): e.g. a CaseChangeFeed following this process's case store and LISTENing
   * for the others. While it is live the relay polls only every `safetyPollMs`; while it is not
   * (or absent), every `idleMs`.
   */
  readonly changes?: CaseChanges;
  /** Wait between passes when idle while `changes` is live: the safety net for a missed signal, ms. Default 5000. */
  readonly safetyPollMs?: number;
  /** Longest wait between passes while Redis fails, ms (doubling from idleMs). Default 10000. */
  readonly maxBackoffMs?: number;
  /** How long one add may take before the pass gives up (rows stay unsent), ms. Default 3000. */
  readonly addTimeoutMs?: number;
  /** How long a relay holds rows it took (another relay takes them after), ms. Default 30000. */
  readonly claimMs?: number;
  /** How long finished jobs stay in Redis (the job-id dedup window), seconds. Default 30 days. */
  readonly keepFinishedS?: number;
  /** After a pass's dispatch jobs exist: e.g. CaseStore.markDispatchedMany. Errors are logged. */
  readonly onDispatched?: (caseIds: readonly string[], at: number) => Promise<unknown>;
  /** Handles a re-check request (the patrol visits the camera next). Absent: recheck rows wait. */
  readonly onRecheck?: (request: RecheckRequest) => Promise<unknown>;
  readonly now?: () => number;
  readonly log?: Logger;
}

/** A re-check request as the outbox carries it. */
export interface RecheckRequest {
  readonly caseId: string;
  readonly cameraId: string;
  readonly version: number;
}

const recheckSchema = z.object({ caseId: z.string(), cameraId: z.string(), version: z.number().int() });

/** What one pass did. */
export interface RelayPass {
  readonly sent: number;
  /** Rows that could not be sent this pass (Redis away). */
  readonly failed: number;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * The transactional outbox's relay: a case change and its outbox row commit together (the case
 * store does that); this publishes unsent rows to the BullMQ `dispatch` queue, job id = case id +
 * version, and marks them sent. Redis away: the rows stay in the record and go out when it is
 * back. Sent at most once as a job: a crash between the add and the mark re-adds the same job id,
 * which BullMQ ignores while the job exists (`keepFinishedS`). Several relays share the table
 * through short claims (SKIP LOCKED), so no row is worked by two at once.
 */
export class OutboxRelay {
  private readonly redis: Redis;
  private readonly queue: Queue<DispatchPayloadV1>;
  private readonly log: Logger;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RelayPass> | undefined;
  private delayMs: number;
  private closing: Promise<void> | undefined;
  /** A change was heard during the running pass: look again after it. */
  private wakeAfterPass = false;
  private lastPassAt = Number.NEGATIVE_INFINITY;
  private readonly unwake: (() => void) | undefined;
  private started = false;

  constructor(private readonly options: OutboxRelayOptions) {
    this.log = options.log ?? createLogger('outbox');
    this.now = options.now ?? Date.now;
    this.delayMs = this.idleMs;
    this.redis = createRedis(options.redisUrl, 'producer', (err) => this.log.debug({ err: err.message }, 'redis connection error'));
    this.queue = new Queue<DispatchPayloadV1>(options.queueName ?? 'dispatch', { connection: this.redis, ...(options.prefix ? { prefix: options.prefix } : {}) });
    this.queue.on('error', (err: Error) => this.log.debug({ err: err.message }, 'dispatch queue error'));
    this.unwake = options.changes?.onChange(() => this.wake());
  }

  /** Starts relaying in the background until close(). */
  start(): void {
    this.started = true;
    this.schedule(0);
  }

  /**
   * Something may have been put in the outbox: a pass soon (at once, or `idleMs` after the last
   * one began), unless Redis is failing (the back-off stands) or a pass is running (then one
   * more after it). Before start() or after close(): nothing.
   */
  wake(): void {
    if (!this.started || this.closing || this.delayMs > this.idleMs) return;
    if (this.running) {
      // The pass may have taken its rows before this change committed.
      if (!this.wakeAfterPass) {
        this.wakeAfterPass = true;
        const again = (): void => {
          this.wakeAfterPass = false;
          this.wake();
        };
        this.running.then(again, again);
      }
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule(this.wakeDelay());
  }

  /** Unsent rows right now. */
  async backlog(): Promise<number> {
    const r = await this.options.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('sent_at', 'is', null).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** One pass: takes up to `batch` unsent rows, publishes them, marks them sent. Never runs twice at once. */
  relayOnce(): Promise<RelayPass> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops the loop, then the queue and its connection. Unsent rows stay for the next start. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.unwake?.();
      clearTimeout(this.timer);
      const steps: [string, () => Promise<unknown>][] = [
        ['pass', () => this.running ?? Promise.resolve()],
        ['queue', () => withTimeout(this.queue.close(), 2000, 'queue close')],
        ['redis', () => closeRedis(this.redis)],
      ];
      for (const [what, step] of steps) {
        try {
          await step();
        } catch (err) {
          this.log.warn({ err: (err as Error).message }, `outbox relay close: ${what} failed`);
        }
      }
    })();
    return this.closing;
  }

  private async pass(): Promise<RelayPass> {
    const now = this.now();
    this.lastPassAt = Date.now();
    const claimUntil = now + (this.options.claimMs ?? 30_000);
    const topics = this.options.onRecheck ? ['dispatch', 'recheck'] : ['dispatch'];
    const rows = await this.options.db
      .updateTable('outbox')
      .set((eb) => ({ claimed_until: claimUntil, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('outbox')
          .select('id')
          .where('sent_at', 'is', null)
          .where('topic', 'in', topics)
          .where((w) => w.or([w('claimed_until', 'is', null), w('claimed_until', '<', now)]))
          .orderBy('id')
          .limit(this.options.batch ?? 200)
          .forUpdate()
          .skipLocked(),
      )
      .returning(['id', 'topic', 'job_id', 'case_id', 'payload'])
      .execute();
    if (rows.length === 0) return { sent: 0, failed: 0 };
    rows.sort((a, b) => a.id - b.id);
    const sentIds: number[] = [];
    let failed = 0;
    const dispatch = rows.filter((r) => r.topic === 'dispatch');
    const keep = { age: this.options.keepFinishedS ?? 30 * 86_400 };
    const good = dispatch.filter((r) => {
      const problems = dispatchPayloadProblems(r.payload);
      if (problems.length) this.log.error({ caseId: r.case_id, problems }, 'outbox row has a bad dispatch payload: left unsent');
      return problems.length === 0;
    });
    if (good.length) {
      try {
        // No status pre-check: a connection still being made queues the add (bounded by the timeout).
        if (this.redis.status === 'end') throw new Error('redis connection is closed');
        const jobs = good.map((r) => {
          const p = r.payload as DispatchPayloadV1;
          return { name: p.eventType.id, data: p, opts: { jobId: r.job_id, priority: p.priority, removeOnComplete: keep, removeOnFail: keep } };
        });
        const add = this.queue.addBulk(jobs);
        add.catch(() => undefined);
        await withTimeout(add, this.options.addTimeoutMs ?? 3000, 'dispatch add');
        sentIds.push(...good.map((r) => r.id));
      } catch (err) {
        failed += good.length;
        await this.record(good.map((r) => r.id), (err as Error).message);
      }
    }
    for (const r of rows.filter((x) => x.topic === 'recheck')) {
      try {
        await this.options.onRecheck!(recheckSchema.parse(r.payload));
        sentIds.push(r.id);
      } catch (err) {
        failed++;
        await this.record([r.id], (err as Error).message);
      }
    }
    if (sentIds.length) {
      const at = this.now();
      await this.options.db.updateTable('outbox').set({ sent_at: at, claimed_until: null, last_error: null }).where('id', 'in', sentIds).execute();
      const sent = new Set(sentIds);
      const caseIds = [...new Set(dispatch.filter((x) => sent.has(x.id)).map((x) => x.case_id))];
      if (caseIds.length) {
        await this.options.onDispatched?.(caseIds, at).catch((err: unknown) => this.log.warn({ cases: caseIds.length, err: (err as Error).message }, 'jobs added, but recording the dispatch failed'));
      }
    }
    return { sent: sentIds.length, failed };
  }

  /** Releases rows that failed (the next pass retries them) and records why. */
  private async record(ids: readonly number[], error: string): Promise<void> {
    await this.options.db.updateTable('outbox').set({ claimed_until: null, last_error: error.slice(0, 500) }).where('id', 'in', [...ids]).execute();
  }

  private get idleMs(): number {
    return this.options.idleMs ?? 250;
  }

  /** The idle wait: the safety-net poll while change signals are heard, the short poll otherwise. */
  private get pollMs(): number {
    return this.options.changes?.live ? (this.options.safetyPollMs ?? 5000) : this.idleMs;
  }

  private wakeDelay(): number {
    return Math.max(0, this.lastPassAt + this.idleMs - Date.now());
  }

  private schedule(ms: number): void {
    if (this.closing || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.relayOnce().then(
        (r) => {
          if (r.failed > 0 && r.sent === 0) this.delayMs = Math.min(Math.max(this.delayMs, this.idleMs) * 2, this.options.maxBackoffMs ?? 10_000);
          else this.delayMs = this.idleMs;
          // A full batch: more is waiting, go again at once.
          this.schedule(r.sent >= (this.options.batch ?? 200) ? 0 : this.delayMs > this.idleMs ? this.delayMs : this.pollMs);
        },
        (err: unknown) => {
          this.log.warn({ err: (err as Error).message }, 'outbox pass failed; will retry');
          this.delayMs = Math.min(Math.max(this.delayMs, this.idleMs) * 2, this.options.maxBackoffMs ?? 10_000);
          this.schedule(this.delayMs);
        },
      );
    }, ms);
    this.timer.unref();
  }
}
