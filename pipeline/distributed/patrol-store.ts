import { z } from 'zod';
import type { FrameDetections } from '../visit/camera-visitor.ts';
import type { Redis } from 'ioredis';
import { CameraHealthSnapshotSchema, type StoredHealthSnapshot } from '../../streams/camera-health.ts';
import { SchedulerStatusSchema } from '../patrol/scheduler-status-schema.ts';
import type { SchedulerStatus } from '../patrol/types.ts';

/** What the command center asked the patrol to be doing. */
export type PatrolRunState = 'running' | 'paused' | 'stopped';

/** {@link VisitRecord} as read back from Redis. */
export const VisitRecordSchema = z.object({
  cameraId: z.string(),
  jobId: z.string(),
  workerId: z.string(),
  ok: z.boolean(),
  startedAt: z.number(),
  finishedAt: z.number(),
  errorCode: z.string().optional(),
  error: z.string().optional(),
  frames: z.number(),
  sourceWidth: z.number().optional(),
  sourceHeight: z.number().optional(),
  firstFrameMs: z.number().optional(),
  model: z.string().optional(),
  detections: z.array(z.array(z.object({ label: z.string(), classId: z.number(), score: z.number(), box: z.array(z.number()) }))),
  evidence: z.string().optional(),
});

/** One finished visit, as recorded for the API and for the rules stage to consume. */
export interface VisitRecord {
  readonly cameraId: string;
  readonly jobId: string;
  readonly workerId: string;
  readonly ok: boolean;
  readonly startedAt: number;
  readonly finishedAt: number;
  /** Stable error code (CAMERA_REFUSED, ...) when the visit failed. */
  readonly errorCode?: string;
  /** Masked error message when the visit failed. */
  readonly error?: string;
  readonly frames: number;
  readonly sourceWidth?: number;
  readonly sourceHeight?: number;
  readonly firstFrameMs?: number;
  /** Model that analysed the frames, "id@version". */
  readonly model?: string;
  /** Detections per frame; boxes normalised to 0-1 of the frame so any resolution reads them. */
  readonly detections: readonly FrameDetections[];
  /** File name of the evidence JPEG under the storage folder, when one was kept. */
  readonly evidence?: string;
}

/** Revisit targets (seconds) the command center set per priority over the config's. */
export const PlanOverrideSchema = z.strictObject({ key: z.number().positive().optional(), normal: z.number().positive().optional(), low: z.number().positive().optional() });
/** See {@link PlanOverrideSchema}. */
export type PlanOverride = z.infer<typeof PlanOverrideSchema>;

/** The outcome of a camera's last visit, as the camera list shows it. */
export const VisitOutcomeSchema = z.strictObject({
  ok: z.boolean(),
  at: z.number(),
  errorCode: z.string().optional(),
  error: z.string().optional(),
});
/** See {@link VisitOutcomeSchema}. */
export type VisitOutcome = z.infer<typeof VisitOutcomeSchema>;

function outcomeOf(r: VisitRecord): VisitOutcome {
  return { ok: r.ok, at: r.finishedAt, ...(r.errorCode ? { errorCode: r.errorCode, error: r.error ?? '' } : {}) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The leader's published view of the patrol (see PatrolLeader). */
export interface PublishedStatus {
  readonly leader: string;
  readonly at: number;
  readonly state: PatrolRunState;
  readonly capacity: number;
  readonly workers: number;
  readonly scheduler: SchedulerStatus;
}

/** {@link PublishedStatus} as read back from Redis. */
export const PublishedStatusSchema = z.object({
  leader: z.string(),
  at: z.number(),
  state: z.enum(['running', 'paused', 'stopped']),
  capacity: z.number(),
  workers: z.number(),
  scheduler: SchedulerStatusSchema,
});

/** Pops a visit list's tail while its record finished before ARGV[1] (or does not parse); returns how many went. */
const PRUNE_LIST = `
local n = 0
while true do
  local v = redis.call('LINDEX', KEYS[1], -1)
  if not v then break end
  local ok, rec = pcall(cjson.decode, v)
  local t = ok and type(rec) == 'table' and tonumber(rec.finishedAt) or nil
  if t and t >= tonumber(ARGV[1]) then break end
  redis.call('RPOP', KEYS[1])
  n = n + 1
end
return n`;

/**
 * The patrol's shared state in Redis, under one key prefix. Everything a process needs to take
 * over from another lives here: the run state, last successful visits (for a new leader), camera
 * health, visit records, pending visit-now requests, worker heartbeats and the leader's status.
 */
export class PatrolStore {
  constructor(
    private readonly redis: Redis,
    /** Key prefix, e.g. "gw". */
    readonly prefix: string,
  ) {}

  /** Redis key for a name under the prefix. */
  key(name: string): string {
    return `${this.prefix}:${name}`;
  }

  async getRunState(): Promise<PatrolRunState> {
    const v = await this.redis.get(this.key('state'));
    return v === 'paused' || v === 'stopped' ? v : v === 'running' ? 'running' : 'stopped';
  }

  async setRunState(state: PatrolRunState): Promise<void> {
    await this.redis.set(this.key('state'), state);
  }

  /** Stores the command center's revisit-target override (null clears it); the leader applies it live. */
  async setPlanOverride(targets: Readonly<Record<string, number>> | null): Promise<void> {
    if (targets === null) await this.redis.del(this.key('plan-override'));
    else await this.redis.set(this.key('plan-override'), JSON.stringify(targets));
  }

  /** The revisit-target override as stored (raw JSON text, so callers can tell when it changed). */
  async getPlanOverrideRaw(): Promise<string | null> {
    return this.redis.get(this.key('plan-override'));
  }

  /** Parses an override text from {@link getPlanOverrideRaw}; null when it does not parse. */
  static parsePlanOverride(raw: string): PlanOverride | null {
    const parsed = PlanOverrideSchema.safeParse(safeJson(raw));
    return parsed.success ? parsed.data : null;
  }

  /** Asks the leader to visit a camera as soon as possible. */
  async requestVisitNow(cameraId: string): Promise<void> {
    await this.redis.rpush(this.key('visit-now'), cameraId);
  }

  /** Takes every pending visit-now request (leader only). */
  async takeVisitNowRequests(): Promise<string[]> {
    const [[, items]] = (await this.redis.multi().lrange(this.key('visit-now'), 0, -1).del(this.key('visit-now')).exec()) as [[Error | null, string[]]];
    return items ?? [];
  }

  async setLastVisit(cameraId: string, at: number): Promise<void> {
    await this.redis.hset(this.key('last-visit'), cameraId, String(at));
  }

  async getLastVisits(): Promise<Record<string, number>> {
    const raw = await this.redis.hgetall(this.key('last-visit'));
    return Object.fromEntries(Object.entries(raw).flatMap(([k, v]) => (Number.isFinite(Number(v)) ? [[k, Number(v)]] : [])));
  }

  /** A camera's stored health, parsed; null when none (or stored in a shape this version cannot read). */
  async getHealth(cameraId: string): Promise<StoredHealthSnapshot | null> {
    const v = await this.redis.hget(this.key('health'), cameraId);
    if (!v) return null;
    const parsed = CameraHealthSnapshotSchema.safeParse(safeJson(v));
    return parsed.success ? parsed.data : null;
  }

  async setHealth(cameraId: string, health: unknown): Promise<void> {
    await this.redis.hset(this.key('health'), cameraId, JSON.stringify(health));
  }

  /** Every camera's stored health, parsed; records that do not parse are left out. */
  async getAllHealth(): Promise<Record<string, StoredHealthSnapshot>> {
    const raw = await this.redis.hgetall(this.key('health'));
    const out: Record<string, StoredHealthSnapshot> = {};
    for (const [id, json] of Object.entries(raw)) {
      const parsed = CameraHealthSnapshotSchema.safeParse(safeJson(json));
      if (parsed.success) out[id] = parsed.data;
    }
    return out;
  }

  /**
   * Records a visit: the camera's recent list (capped), and the `visits` stream the rules stage
   * reads (capped near `streamMax`).
   */
  async recordVisit(record: VisitRecord, keepPerCamera = 50, streamMax = 100_000): Promise<void> {
    const json = JSON.stringify(record);
    await this.redis
      .multi()
      .lpush(this.key(`visits:${record.cameraId}`), json)
      .ltrim(this.key(`visits:${record.cameraId}`), 0, keepPerCamera - 1)
      .xadd(this.key('visit-stream'), 'MAXLEN', '~', String(streamMax), '*', 'visit', json)
      .hset(this.key('last-outcome'), record.cameraId, JSON.stringify(outcomeOf(record)))
      .exec();
  }

  /**
   * Deletes visit records that finished before `before` (epoch ms): from each camera's recent list
   * (oldest at its tail; an entry that does not parse goes too, nothing can read it) and from the
   * visits stream (its ids are the ms it was added). Each list is pruned by one script, so a visit
   * recorded meanwhile is never lost. Retention runs it with the evidence age.
   */
  async pruneVisits(before: number): Promise<{ readonly lists: number; readonly records: number; readonly streamEntries: number }> {
    let lists = 0;
    let records = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.key('visits:')}*`, 'COUNT', 200);
      cursor = next;
      for (const key of keys) {
        const n = Number(await this.redis.eval(PRUNE_LIST, 1, key, String(before)));
        if (n > 0) {
          lists++;
          records += n;
        }
      }
    } while (cursor !== '0');
    const streamEntries = Number(await this.redis.xtrim(this.key('visit-stream'), 'MINID', String(before)));
    return { lists, records, streamEntries };
  }

  /** The outcome of each camera's last recorded visit (a storage fault shows here, not in health). */
  async getLastOutcomes(): Promise<Record<string, VisitOutcome>> {
    const raw = await this.redis.hgetall(this.key('last-outcome'));
    const out: Record<string, VisitOutcome> = {};
    for (const [id, json] of Object.entries(raw)) {
      const parsed = VisitOutcomeSchema.safeParse(safeJson(json));
      if (parsed.success) out[id] = parsed.data;
    }
    return out;
  }

  async recentVisits(cameraId: string, limit = 20): Promise<VisitRecord[]> {
    const items = await this.redis.lrange(this.key(`visits:${cameraId}`), 0, limit - 1);
    return items.flatMap((s) => {
      const parsed = VisitRecordSchema.safeParse(safeJson(s));
      return parsed.success ? [parsed.data] : [];
    });
  }

  /** Marks a worker alive for `ttlMs` with its number of visit slots. */
  async heartbeat(workerId: string, slots: number, ttlMs: number): Promise<void> {
    await this.redis.multi().zadd(this.key('workers'), String(Date.now() + ttlMs), workerId).hset(this.key('worker-slots'), workerId, String(slots)).exec();
  }

  async removeWorker(workerId: string): Promise<void> {
    await this.redis.multi().zrem(this.key('workers'), workerId).hdel(this.key('worker-slots'), workerId).exec();
  }

  /** Live workers and their total visit slots. Expired heartbeats are dropped. */
  async liveCapacity(): Promise<{ workers: number; slots: number }> {
    const now = Date.now();
    await this.redis.zremrangebyscore(this.key('workers'), '-inf', String(now));
    const ids = await this.redis.zrange(this.key('workers'), '0', '-1');
    if (ids.length === 0) return { workers: 0, slots: 0 };
    const slots = await this.redis.hmget(this.key('worker-slots'), ...ids);
    return { workers: ids.length, slots: slots.reduce((s, v) => s + (Number(v) || 0), 0) };
  }

  async publishStatus(status: PublishedStatus, ttlMs: number): Promise<void> {
    await this.redis.set(this.key('status'), JSON.stringify(status), 'PX', ttlMs);
  }

  async readStatus(): Promise<PublishedStatus | null> {
    const v = await this.redis.get(this.key('status'));
    if (!v) return null;
    // A status another version wrote in another shape is treated as none (the leader rewrites it each second).
    const parsed = PublishedStatusSchema.safeParse(safeJson(v));
    return parsed.success ? parsed.data : null;
  }

  /**
   * Takes the per-camera visit lock so no camera is visited twice at once. The token must start
   * with the holder's worker id and {@link LOCK_TOKEN_SEPARATOR} (see {@link lockToken}), so a
   * lock of a dead worker can be recognised. Returns a release function (idempotent), or null
   * when another visit holds it.
   */
  async lockCamera(cameraId: string, token: string, ttlMs: number): Promise<(() => Promise<void>) | null> {
    const k = this.key(`lock:${cameraId}`);
    const ok = await this.redis.set(k, token, 'PX', ttlMs, 'NX');
    if (ok !== 'OK') return null;
    let released: Promise<void> | undefined;
    return () => (released ??= this.deleteIfHeld(k, token).then(() => undefined));
  }

  /**
   * Frees a camera lock whose holder is a worker known to be dead (no live heartbeat), so its
   * camera need not wait for the lock's TTL. Returns true when a dead worker's lock was removed.
   */
  /**
   * How many of `cameraIds` are locked by a worker whose heartbeat is gone: visits of a killed
   * worker, whose jobs BullMQ hands on only once their job lock runs out. The leader does not count
   * them against the live capacity, so the surviving workers' free slots get other cameras meanwhile.
   */
  async lockedByDeadWorkers(cameraIds: readonly string[]): Promise<number> {
    if (cameraIds.length === 0) return 0;
    const tokens = await this.redis.mget(...cameraIds.map((id) => this.key(`lock:${id}`)));
    const owners = tokens.map((t) => (t && t.indexOf(LOCK_TOKEN_SEPARATOR) > 0 ? t.slice(0, t.indexOf(LOCK_TOKEN_SEPARATOR)) : undefined));
    const workers = [...new Set(owners.filter((w): w is string => w !== undefined))];
    if (workers.length === 0) return 0;
    const batch = this.redis.pipeline();
    for (const w of workers) batch.zscore(this.key('workers'), w);
    const now = Date.now();
    const expires = ((await batch.exec()) ?? []).map(([err, v]) => (err ? null : v));
    const dead = new Set(workers.filter((_, i) => !(expires[i] != null && Number(expires[i]) > now)));
    return owners.filter((w) => w !== undefined && dead.has(w)).length;
  }

  async releaseLockOfDeadWorker(cameraId: string): Promise<boolean> {
    const k = this.key(`lock:${cameraId}`);
    const holder = await this.redis.get(k);
    if (holder === null) return false;
    const sep = holder.indexOf(LOCK_TOKEN_SEPARATOR);
    if (sep <= 0) return false;
    const expires = await this.redis.zscore(this.key('workers'), holder.slice(0, sep));
    if (expires !== null && Number(expires) > Date.now()) return false;
    return this.deleteIfHeld(k, holder);
  }

  private async deleteIfHeld(k: string, token: string): Promise<boolean> {
    const n = await this.redis.eval(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`, 1, k, token);
    return n === 1;
  }
}

/** Separates the worker id from the rest of a camera lock token. */
export const LOCK_TOKEN_SEPARATOR = '|';

/** The camera lock token of one visit job of one worker. */
export const lockToken = (workerId: string, jobId: string): string => `${workerId}${LOCK_TOKEN_SEPARATOR}${jobId}`;
