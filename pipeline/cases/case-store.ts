import type { Redis } from 'ioredis';
import type { AuditEntry, CaseRecord, ConfirmedEvent, Verdict } from '../events/event-model.ts';
import { CasWrite } from './cas-commit.ts';
import { CaseContentionError, CaseNotFoundError } from './case-errors.ts';
import { newCaseId } from './case-id.ts';
import { CaseKeys } from './case-keys.ts';
import { type CaseListPage, type CaseListQuery, listCases } from './case-list.ts';
import {
  applyVerdict,
  type Change,
  claimCase,
  closedAt,
  isActive,
  isPending,
  markDispatched,
  mergeSighting,
  openCase,
  releaseCase,
  resolveCase,
  type SightingContext,
  suppressSighting,
} from './case-transitions.ts';
import { type DedupRule, findMatch } from './place-match.ts';

/** Options of a CaseStore. */
export interface CaseStoreOptions {
  /** Redis key prefix, e.g. "gw:cases". */
  readonly prefix: string;
  /** Minimum place IoU for two sightings to be the same thing (types with `dedup: place`), 0-1. Default 0.3. */
  readonly minIou?: number;
  /** Cooldown after a case closed, seconds, for types without `cooldownS`. Default 1800. */
  readonly defaultCooldownS?: number;
  /** Compare-and-set attempts before giving up with CaseContentionError. Default 25. */
  readonly maxAttempts?: number;
  /** How long a claim holds a case, ms. Default 15 min. */
  readonly claimLeaseMs?: number;
  /** Clock, epoch ms. Default Date.now. */
  readonly now?: () => number;
}

/** What openOrUpdate did with a confirmed event. Only `opened` cases are dispatched. */
export type SightingOutcome =
  /** A new case. */
  | 'opened'
  /** Merged into an active case of the same thing (not dispatched again). */
  | 'updated'
  /** The same thing as a case closed within the cooldown: counted on that case, nothing opened. */
  | 'suppressed';

/** Result of openOrUpdate: the case the event went to. */
export interface SightingResult {
  readonly case: CaseRecord;
  readonly created: boolean;
  readonly outcome: SightingOutcome;
}

/** Result of a verification step: the case after it, and whether this call changed it (false: a repeat). */
export interface CaseUpdate {
  readonly case: CaseRecord;
  readonly changed: boolean;
}

/** A verdict as given; the store stamps the time. */
export type VerdictInput = Omit<Verdict, 'at'> & { readonly at?: number };

const parse = (raw: string): CaseRecord => JSON.parse(raw) as CaseRecord;

/**
 * Cases in Redis: opening with deduplication and cooldown, list indexes, verification steps and
 * the audit trail. Every write is one atomic compare-and-set (see CasWrite) retried on conflict, so
 * any number of processes may share a store. The connection is the caller's (a producer one:
 * requests fail fast while Redis is away).
 */
export class CaseStore {
  readonly keys: CaseKeys;
  private readonly minIou: number;
  private readonly defaultCooldownS: number;
  private readonly maxAttempts: number;
  private readonly now: () => number;
  /** How long a claim holds a case, ms. */
  readonly claimLeaseMs: number;

  constructor(
    private readonly redis: Redis,
    options: CaseStoreOptions,
  ) {
    this.keys = new CaseKeys(options.prefix);
    this.minIou = options.minIou ?? 0.3;
    this.defaultCooldownS = options.defaultCooldownS ?? 1800;
    this.maxAttempts = options.maxAttempts ?? 25;
    this.now = options.now ?? Date.now;
    this.claimLeaseMs = options.claimLeaseMs ?? 15 * 60_000;
  }

  /**
   * Files a confirmed event: merges it into the active case of the same thing (same camera and
   * type, and the same place or zone per the type's `dedup`), or counts it as suppressed on a case
   * of the same thing closed less than the cooldown before the event, or opens a new case.
   * Atomic across processes: opening is a compare-and-set on the camera+type group's version.
   */
  async openOrUpdate(event: ConfirmedEvent, ctx: SightingContext & { readonly now?: number }): Promise<SightingResult> {
    if (ctx.type.id !== event.eventType) throw new Error(`event type ${event.eventType} given with the definition of ${ctx.type.id}`);
    const rule: DedupRule = { by: ctx.type.dedup ?? 'place', minIou: this.minIou };
    const cooldownMs = (ctx.type.cooldownS ?? this.defaultCooldownS) * 1000;
    const k = this.keys;
    const [verKey, activeKey, closedKey] = [k.version(event.cameraId, event.eventType), k.active(event.cameraId, event.eventType), k.closed(event.cameraId, event.eventType)];
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const now = ctx.now ?? this.now();
      const res = await this.redis.multi().get(verKey).smembers(activeKey).zrangebyscore(closedKey, event.at - cooldownMs, '+inf').exec();
      const [ver, activeIds, closedIds] = (res ?? []).map(([err, v]) => {
        if (err) throw err;
        return v;
      }) as [string | null, string[], string[]];
      const records = await this.readMany([...activeIds, ...closedIds]);
      const active = records.filter(([, c]) => activeIds.includes(c.id) && isActive(c.status));
      const closed = records.filter(([, c]) => closedIds.includes(c.id) && !isActive(c.status));
      const hit = findMatch(rule, event, active.map(([, c]) => c));
      if (hit) {
        const raw = active.find(([, c]) => c === hit)![0];
        const change = mergeSighting(hit, event, ctx, now);
        if (await this.write(raw, hit, change)) return { case: change.next, created: false, outcome: 'updated' };
        continue;
      }
      const cooled = findMatch(rule, event, closed.map(([, c]) => c));
      if (cooled) {
        const raw = closed.find(([, c]) => c === cooled)![0];
        const change = suppressSighting(cooled, event, now);
        if (await this.write(raw, cooled, change)) return { case: change.next, created: false, outcome: 'suppressed' };
        continue;
      }
      const change = openCase(newCaseId(now), event, ctx, now);
      const extra = (w: CasWrite) => w.guard(verKey, ver).op('ZREMRANGEBYSCORE', closedKey, '-inf', `(${Math.min(now, event.at) - cooldownMs}`);
      if (await this.write(null, null, change, extra)) return { case: change.next, created: true, outcome: 'opened' };
    }
    throw new CaseContentionError(`filing ${event.eventType} on ${event.cameraId}`, this.maxAttempts);
  }

  /** The case, or null when there is none with this id. */
  async get(id: string): Promise<CaseRecord | null> {
    const raw = await this.redis.get(this.keys.case(id));
    return raw === null ? null : parse(raw);
  }

  /** A page of cases matching every given filter, oldest first unless `order` is desc. */
  async list(query: CaseListQuery = {}): Promise<CaseListPage> {
    const page = await listCases(this.redis, this.keys, query);
    const records = await this.readMany(page.ids);
    return { cases: records.map(([, c]) => c), nextCursor: page.nextCursor };
  }

  /** A grid worker takes a pending case for the claim lease (repeat by the holder: unchanged; a lapsed claim can be taken). */
  claim(id: string, by: string): Promise<CaseUpdate> {
    return this.mutate(id, 'claim', (c) => claimCase(c, by, this.now(), this.claimLeaseMs));
  }

  /** Gives a claimed case back: by its holder, or by anyone with `force` (an operator breaking the claim). */
  release(id: string, by: string, options: { force?: boolean } = {}): Promise<CaseUpdate> {
    return this.mutate(id, 'release', (c) => releaseCase(c, by, this.now(), options.force ?? false));
  }

  /** Records a verdict; the same verdict again is unchanged, a different one a CaseConflictError. */
  verdict(id: string, input: VerdictInput): Promise<CaseUpdate> {
    return this.mutate(id, 'verdict', (c) => applyVerdict(c, { ...input, at: input.at ?? this.now() }));
  }

  /** Marks a confirmed case resolved (repeat: unchanged; not confirmed: CaseConflictError). */
  resolve(id: string, by: string, note?: string): Promise<CaseUpdate> {
    return this.mutate(id, 'resolve', (c) => resolveCase(c, by, this.now(), note));
  }

  /** Records that the case's dispatch job exists (repeat: unchanged). */
  markDispatched(id: string, at: number = this.now()): Promise<CaseUpdate> {
    return this.mutate(id, 'mark dispatched', (c) => markDispatched(c, at));
  }

  /** The case's audit trail, oldest first. CaseNotFoundError when there is no such case. */
  async audit(id: string): Promise<AuditEntry[]> {
    const res = await this.redis.multi().exists(this.keys.case(id)).lrange(this.keys.audit(id), 0, -1).exec();
    const [[e1, exists], [e2, items]] = res as [[Error | null, number], [Error | null, string[]]];
    if (e1 ?? e2) throw e1 ?? e2;
    if (!exists) throw new CaseNotFoundError(id);
    return items.map((s) => JSON.parse(s) as AuditEntry);
  }

  /** Existing records for ids, with the raw JSON each was parsed from (the compare-and-set guard). */
  private async readMany(ids: readonly string[]): Promise<[string, CaseRecord][]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.keys.case(id)));
    return raws.flatMap((raw) => (raw === null ? [] : [[raw, parse(raw)] as [string, CaseRecord]]));
  }

  private async mutate(id: string, what: string, fn: (c: CaseRecord) => Change | null): Promise<CaseUpdate> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const raw = await this.redis.get(this.keys.case(id));
      if (raw === null) throw new CaseNotFoundError(id);
      const current = parse(raw);
      const change = fn(current);
      if (!change) return { case: current, changed: false };
      if (await this.write(raw, current, change)) return { case: change.next, changed: true };
    }
    throw new CaseContentionError(`${what} ${id}`, this.maxAttempts);
  }

  /**
   * Writes a change if the record is still `prevRaw` (null: does not exist yet), with its audit
   * entries and every index the change moves it in.
   */
  private write(prevRaw: string | null, prev: CaseRecord | null, change: Change, extra?: (w: CasWrite) => void): Promise<boolean> {
    const { next, audit } = change;
    const k = this.keys;
    const w = new CasWrite().guard(k.case(next.id), prevRaw).op('SET', k.case(next.id), JSON.stringify(next));
    extra?.(w);
    if (audit.length) w.op('RPUSH', k.audit(next.id), ...audit.map((a) => JSON.stringify(a)));
    if (!prev) {
      for (const key of [k.index('all'), k.byGrid(next.grid), k.byType(next.eventType), k.byCamera(next.cameraId)]) w.op('ZADD', key, 0, next.id);
    }
    if (next.dispatchedAt === undefined && !prev) w.op('ZADD', k.index('undispatched'), 0, next.id);
    if (next.dispatchedAt !== undefined && prev && prev.dispatchedAt === undefined) w.op('ZREM', k.index('undispatched'), next.id);
    if (prev?.status !== next.status) {
      if (prev) w.op('ZREM', k.byStatus(prev.status), next.id);
      w.op('ZADD', k.byStatus(next.status), 0, next.id);
      if (isPending(next.status)) w.op('ZADD', k.index('pending'), 0, next.id);
      else if (prev && isPending(prev.status)) w.op('ZREM', k.index('pending'), next.id);
    }
    const wasActive = prev ? isActive(prev.status) : undefined;
    if (wasActive !== isActive(next.status)) {
      const [active, closed, ver] = [k.active(next.cameraId, next.eventType), k.closed(next.cameraId, next.eventType), k.version(next.cameraId, next.eventType)];
      if (isActive(next.status)) w.op('SADD', active, next.id);
      else w.op('SREM', active, next.id).op('ZADD', closed, closedAt(next) ?? this.now(), next.id);
      w.op('INCR', ver);
    }
    return w.commit(this.redis);
  }
}
