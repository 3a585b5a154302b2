/**
 * For tests and benchmarks: an identity store under a fresh random prefix with an admin, and
 * service tokens or logged-in sessions for any role. Not used by the product.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { type DatabaseHandle, openDatabase } from '../db/open-database.ts';
import { createScratchDatabase, type ScratchDatabase } from '../db/scratch-database.ts';
import type { AuthenticatorOptions } from '../identity/authenticator.ts';
import { type Identity, openIdentity } from '../identity/open-identity.ts';
import type { Role } from '../identity/roles.ts';
import type { AuthApiContext } from './api-context.ts';

/** What a test needs to call the API as someone. */
export interface TestAuth {
  readonly identity: Identity;
  /** The scratch PostgreSQL database holding users, tokens and the audit. */
  readonly record: DatabaseHandle;
  readonly auth: AuthApiContext;
  /** The Redis prefix the identity keys live under (its `:auth` child). */
  readonly prefix: string;
  /** A fresh service token of `role`; its `Authorization` header value. */
  bearer(role: Role, grids?: readonly string[], name?: string): Promise<string>;
  /** Deletes every Redis key of this identity store and drops its scratch database. */
  cleanup(): Promise<void>;
}

/** Password of the admin every TestAuth starts with (username "admin"). */
export const TEST_ADMIN_PASSWORD = `test-${randomBytes(12).toString('hex')}`;

/** Builds a TestAuth on `redis` (the caller's connection) and a scratch database on the test PostgreSQL server; with an admin unless `withoutAdmin`. */
export async function testAuth(redis: Redis, options: AuthenticatorOptions & { loginPerMinute?: number; withoutAdmin?: boolean } = {}): Promise<TestAuth> {
  const prefix = `gwt-auth-${randomBytes(4).toString('hex')}`;
  const scratch: ScratchDatabase = await createScratchDatabase(undefined, 'auth');
  const record = await openDatabase({ url: scratch.url, poolSize: 4 });
  const identity = openIdentity(record.db, redis, prefix, options);
  const by = { actor: 'test-setup' };
  if (!options.withoutAdmin) await identity.accounts.addUser({ username: 'admin', password: TEST_ADMIN_PASSWORD, role: 'admin' }, by);
  let n = 0;
  return {
    identity,
    record,
    prefix,
    auth: { ...identity, adminReady: () => identity.accounts.hasAdmin(), loginPerMinute: options.loginPerMinute ?? 10_000 },
    async bearer(role, grids = [], name) {
      const t = await identity.accounts.createToken({ name: name ?? `t-${role.replace('_', '-')}-${++n}`, role, grids }, by);
      return `Bearer ${t.token}`;
    },
    async cleanup() {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await record.close();
      await scratch.drop();
    },
  };
}
