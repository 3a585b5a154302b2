import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Database } from '../db/db-schema.ts';
import {
  type SessionRecord,
  type SystemAuditEntry,
  SystemAuditEntrySchema,
  type TokenRecord,
  TokenRecordSchema,
  type UserRecord,
  UserRecordSchema,
} from './identity-records.ts';
import type { IdentityStore } from './identity-store.ts';
import type { IdentityTables } from './identity-tables.ts';
import { RedisSessions, SESSION_CACHE_MS } from './redis-sessions.ts';
import { ShortCache } from './short-cache.ts';

type Row<T extends keyof IdentityTables> = { [K in keyof IdentityTables[T]]: unknown };

function checked<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`identity store: damaged row in ${where}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return result.data;
}

// Drops null columns so optional record fields are absent, as the schemas expect.
const defined = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

const toUser = (r: Row<'users'>): UserRecord =>
  checked(
    UserRecordSchema,
    { username: r.username, displayName: r.display_name, role: r.role, grids: r.grids, passwordHash: r.password_hash, disabled: r.disabled, createdAt: r.created_at, updatedAt: r.updated_at },
    `users(${String(r.username)})`,
  );

const toToken = (r: Row<'service_tokens'>): TokenRecord =>
  checked(
    TokenRecordSchema,
    defined({
      id: r.id,
      name: r.name,
      role: r.role,
      grids: r.grids,
      secretDigest: r.secret_digest,
      createdAt: r.created_at,
      createdBy: r.created_by,
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
      revokedBy: r.revoked_by,
    }),
    `service_tokens(${String(r.id)})`,
  );

/**
 * The identity store over the record: users, service tokens and the system audit in PostgreSQL
 * (tables of migration 0002-identity), sessions and login-failure counters in Redis. Neither
 * the database handle nor the Redis connection is closed here (they are the caller's).
 */
export class RecordIdentityStore implements IdentityStore {
  private readonly db: Kysely<Database & IdentityTables>;
  private readonly sessions: RedisSessions;
  // Token rows are read on every bearer request: reused briefly (revocation here: at once; elsewhere within SESSION_CACHE_MS).
  private readonly tokens = new ShortCache<TokenRecord>(SESSION_CACHE_MS);

  constructor(db: Kysely<Database>, redis: Redis, redisPrefix: string) {
    this.db = db.withTables<IdentityTables>();
    this.sessions = new RedisSessions(redis, redisPrefix);
  }

  async getUser(username: string): Promise<UserRecord | null> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.db.selectFrom('users').selectAll().orderBy('username').execute()).map(toUser);
  }

  async createUser(u: UserRecord): Promise<boolean> {
    const res = await this.db
      .insertInto('users')
      .values({ username: u.username, display_name: u.displayName, role: u.role, grids: JSON.stringify(u.grids), password_hash: u.passwordHash, disabled: u.disabled, created_at: u.createdAt, updated_at: u.updatedAt })
      .onConflict((oc) => oc.column('username').doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async updateUser(u: UserRecord): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ display_name: u.displayName, role: u.role, grids: JSON.stringify(u.grids), password_hash: u.passwordHash, disabled: u.disabled, updated_at: u.updatedAt })
      .where('username', '=', u.username)
      .execute();
  }

  async getToken(id: string): Promise<TokenRecord | null> {
    const hit = this.tokens.get(id);
    if (hit) return hit;
    const row = await this.db.selectFrom('service_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    const token = toToken(row);
    this.tokens.set(id, token);
    return token;
  }

  async listTokens(): Promise<TokenRecord[]> {
    return (await this.db.selectFrom('service_tokens').selectAll().orderBy('created_at').orderBy('id').execute()).map(toToken);
  }

  async putToken(t: TokenRecord): Promise<void> {
    this.tokens.delete(t.id);
    const values = {
      id: t.id,
      name: t.name,
      role: t.role,
      grids: JSON.stringify(t.grids),
      secret_digest: t.secretDigest,
      created_at: t.createdAt,
      created_by: t.createdBy,
      expires_at: t.expiresAt ?? null,
      revoked_at: t.revokedAt ?? null,
      revoked_by: t.revokedBy ?? null,
    };
    await this.db
      .insertInto('service_tokens')
      .values(values)
      .onConflict((oc) => oc.column('id').doUpdateSet({ expires_at: values.expires_at, revoked_at: values.revoked_at, revoked_by: values.revoked_by }))
      .execute();
    this.tokens.delete(t.id);
  }

  putSession(idDigest: string, session: SessionRecord, ttlMs: number): Promise<void> {
    return this.sessions.put(idDigest, session, ttlMs);
  }
  getSession(idDigest: string): Promise<SessionRecord | null> {
    return this.sessions.get(idDigest);
  }
  deleteSession(idDigest: string): Promise<void> {
    return this.sessions.delete(idDigest);
  }
  deleteUserSessions(username: string): Promise<void> {
    return this.sessions.deleteUser(username);
  }
  addLoginFailure(key: string, windowMs: number): Promise<{ count: number; remainingMs: number }> {
    return this.sessions.addFailure(key, windowMs);
  }
  loginFailures(key: string): Promise<{ count: number; remainingMs: number }> {
    return this.sessions.failures(key);
  }
  clearLoginFailures(key: string): Promise<void> {
    return this.sessions.clearFailures(key);
  }

  async appendAudit(entry: SystemAuditEntry): Promise<void> {
    const e = SystemAuditEntrySchema.parse(entry);
    await this.db
      .insertInto('system_audit')
      .values({ at: e.at, actor: e.actor, role: e.role ?? null, ip: e.ip ?? null, action: e.action, target: e.target ?? null, detail: e.detail ? JSON.stringify(e.detail) : null })
      .execute();
  }

  async listAudit(limit: number): Promise<SystemAuditEntry[]> {
    const rows = await this.db.selectFrom('system_audit').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) =>
      checked(SystemAuditEntrySchema, defined({ at: r.at, actor: r.actor, role: r.role, ip: r.ip, action: r.action, target: r.target, detail: r.detail }), `system_audit(${r.id})`),
    );
  }

  close(): Promise<void> {
    // The database handle and the Redis connection belong to the caller.
    return Promise.resolve();
  }
}
