import type { Redis } from 'ioredis';
import type { z } from 'zod';
import {
  type SessionRecord,
  SessionRecordSchema,
  type SystemAuditEntry,
  SystemAuditEntrySchema,
  type TokenRecord,
  TokenRecordSchema,
  type UserRecord,
  UserRecordSchema,
} from './identity-records.ts';
import type { IdentityStore } from './identity-store.ts';

/** Audit lines kept (the oldest beyond are dropped). */
const AUDIT_KEEP = 100_000;

function parsed<T>(schema: z.ZodType<T>, raw: string | null, where: string): T | null {
  if (raw === null) return null;
  const result = schema.safeParse(JSON.parse(raw));
  if (!result.success) throw new Error(`identity store: damaged record at ${where}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return result.data;
}

/**
 * The identity store in Redis, under `<prefix>:`: `user:<name>` and `users` (set), `token:<id>` and
 * `tokens` (set), `sess:<sha256>` (expiring) and `usess:<name>` (a user's session digests),
 * `fail:<key>` (expiring counters), `audit` (list, newest first). The connection is the caller's.
 */
export class RedisIdentityStore implements IdentityStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private k(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  async getUser(username: string): Promise<UserRecord | null> {
    const key = this.k('user', username);
    return parsed(UserRecordSchema, await this.redis.get(key), key);
  }

  async listUsers(): Promise<UserRecord[]> {
    const names = (await this.redis.smembers(this.k('users'))).sort();
    if (!names.length) return [];
    const raws = await this.redis.mget(names.map((n) => this.k('user', n)));
    return raws.flatMap((raw, i) => {
      const u = parsed(UserRecordSchema, raw, this.k('user', names[i]!));
      return u ? [u] : [];
    });
  }

  async createUser(user: UserRecord): Promise<boolean> {
    const ok = await this.redis.set(this.k('user', user.username), JSON.stringify(user), 'NX');
    if (ok !== 'OK') return false;
    await this.redis.sadd(this.k('users'), user.username);
    return true;
  }

  async updateUser(user: UserRecord): Promise<void> {
    await this.redis.set(this.k('user', user.username), JSON.stringify(user), 'XX');
  }

  async getToken(id: string): Promise<TokenRecord | null> {
    const key = this.k('token', id);
    return parsed(TokenRecordSchema, await this.redis.get(key), key);
  }

  async listTokens(): Promise<TokenRecord[]> {
    const ids = (await this.redis.smembers(this.k('tokens'))).sort();
    if (!ids.length) return [];
    const raws = await this.redis.mget(ids.map((id) => this.k('token', id)));
    return raws.flatMap((raw, i) => {
      const t = parsed(TokenRecordSchema, raw, this.k('token', ids[i]!));
      return t ? [t] : [];
    });
  }

  async putToken(token: TokenRecord): Promise<void> {
    await this.redis.multi().set(this.k('token', token.id), JSON.stringify(token)).sadd(this.k('tokens'), token.id).exec();
  }

  async putSession(idDigest: string, session: SessionRecord, ttlMs: number): Promise<void> {
    const px = Math.max(1, Math.ceil(ttlMs));
    await this.redis
      .multi()
      .set(this.k('sess', idDigest), JSON.stringify(session), 'PX', px)
      .sadd(this.k('usess', session.username), idDigest)
      .exec();
  }

  async getSession(idDigest: string): Promise<SessionRecord | null> {
    const key = this.k('sess', idDigest);
    return parsed(SessionRecordSchema, await this.redis.get(key), key);
  }

  async deleteSession(idDigest: string): Promise<void> {
    const s = await this.getSession(idDigest).catch(() => null);
    const m = this.redis.multi().del(this.k('sess', idDigest));
    if (s) m.srem(this.k('usess', s.username), idDigest);
    await m.exec();
  }

  async deleteUserSessions(username: string): Promise<void> {
    const set = this.k('usess', username);
    const digests = await this.redis.smembers(set);
    await this.redis
      .multi()
      .del(...digests.map((d) => this.k('sess', d)), set)
      .exec();
  }

  async addLoginFailure(key: string, windowMs: number): Promise<{ count: number; remainingMs: number }> {
    const k = this.k('fail', key);
    const res = await this.redis.multi().incr(k).pexpire(k, windowMs, 'NX').pttl(k).exec();
    const [[e1, count], , [e3, ttl]] = res as [[Error | null, number], unknown, [Error | null, number]];
    if (e1 ?? e3) throw e1 ?? e3;
    return { count, remainingMs: Math.max(0, ttl) };
  }

  async loginFailures(key: string): Promise<{ count: number; remainingMs: number }> {
    const k = this.k('fail', key);
    const res = await this.redis.multi().get(k).pttl(k).exec();
    const [[e1, count], [e2, ttl]] = res as [[Error | null, string | null], [Error | null, number]];
    if (e1 ?? e2) throw e1 ?? e2;
    return { count: count === null ? 0 : Number(count), remainingMs: Math.max(0, ttl) };
  }

  async clearLoginFailures(key: string): Promise<void> {
    await this.redis.del(this.k('fail', key));
  }

  async appendAudit(entry: SystemAuditEntry): Promise<void> {
    const checked = SystemAuditEntrySchema.parse(entry);
    await this.redis.multi().lpush(this.k('audit'), JSON.stringify(checked)).ltrim(this.k('audit'), 0, AUDIT_KEEP - 1).exec();
  }

  async listAudit(limit: number): Promise<SystemAuditEntry[]> {
    const raws = await this.redis.lrange(this.k('audit'), 0, limit - 1);
    return raws.map((raw, i) => parsed(SystemAuditEntrySchema, raw, `${this.k('audit')}[${i}]`)!);
  }

  close(): Promise<void> {
    // The connection belongs to the caller.
    return Promise.resolve();
  }
}
