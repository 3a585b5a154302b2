import type { Redis } from 'ioredis';
import { type SessionRecord, SessionRecordSchema } from './identity-records.ts';
import { ShortCache } from './short-cache.ts';

/** How long a session read from Redis is reused in this process, ms. */
export const SESSION_CACHE_MS = 1000;

/**
 * Sessions and login-failure counters in Redis, under `<prefix>:`: `sess:<sha256>` (expiring),
 * `usess:<name>` (a user's session digests) and `fail:<key>` (expiring counters). Losing them
 * logs people out or forgets failures, nothing more; so they are not in the record. Read-back
 * sessions are parsed with zod. The connection is the caller's.
 *
 * A session read is reused for up to SESSION_CACHE_MS in this process (it saves a Redis round
 * trip on most requests of a busy console: see scripts/bench/auth-overhead.ts). Expiry is still
 * checked on every request by the authenticator; logout and user changes made through this
 * process apply at once, made through another API process within SESSION_CACHE_MS.
 */
export class RedisSessions {
  private readonly cache = new ShortCache<SessionRecord>(SESSION_CACHE_MS);

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private k(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  async put(idDigest: string, session: SessionRecord, ttlMs: number): Promise<void> {
    this.cache.delete(idDigest);
    await this.redis
      .multi()
      .set(this.k('sess', idDigest), JSON.stringify(session), 'PX', Math.max(1, Math.ceil(ttlMs)))
      .sadd(this.k('usess', session.username), idDigest)
      .exec();
    this.cache.set(idDigest, session);
  }

  async get(idDigest: string): Promise<SessionRecord | null> {
    const hit = this.cache.get(idDigest);
    if (hit) return hit;
    const raw = await this.redis.get(this.k('sess', idDigest));
    if (raw === null) return null;
    const parsed = SessionRecordSchema.safeParse(JSON.parse(raw));
    // A damaged session grants nothing: treated as absent (the person logs in again).
    if (!parsed.success) return null;
    this.cache.set(idDigest, parsed.data);
    return parsed.data;
  }

  async delete(idDigest: string): Promise<void> {
    const s = await this.get(idDigest).catch(() => null);
    this.cache.delete(idDigest);
    const m = this.redis.multi().del(this.k('sess', idDigest));
    if (s) m.srem(this.k('usess', s.username), idDigest);
    await m.exec();
  }

  async deleteUser(username: string): Promise<void> {
    const set = this.k('usess', username);
    this.cache.deleteWhere((s) => s.username === username);
    const digests = await this.redis.smembers(set);
    await this.redis
      .multi()
      .del(...digests.map((d) => this.k('sess', d)), set)
      .exec();
  }

  async addFailure(key: string, windowMs: number): Promise<{ count: number; remainingMs: number }> {
    const k = this.k('fail', key);
    const res = await this.redis.multi().incr(k).pexpire(k, windowMs, 'NX').pttl(k).exec();
    const [[e1, count], , [e3, ttl]] = res as [[Error | null, number], unknown, [Error | null, number]];
    if (e1 ?? e3) throw e1 ?? e3;
    return { count, remainingMs: Math.max(0, ttl) };
  }

  async failures(key: string): Promise<{ count: number; remainingMs: number }> {
    const k = this.k('fail', key);
    const res = await this.redis.multi().get(k).pttl(k).exec();
    const [[e1, count], [e2, ttl]] = res as [[Error | null, string | null], [Error | null, number]];
    if (e1 ?? e2) throw e1 ?? e2;
    return { count: count === null ? 0 : Number(count), remainingMs: Math.max(0, ttl) };
  }

  async clearFailures(key: string): Promise<void> {
    await this.redis.del(this.k('fail', key));
  }
}
