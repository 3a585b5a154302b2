import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Database } from '../db/db-schema.ts';
import { Accounts } from './accounts.ts';
import { Authenticator, type AuthenticatorOptions } from './authenticator.ts';
import type { IdentityStore } from './identity-store.ts';
import { RecordIdentityStore } from './record-identity-store.ts';

/** The identity parts one process uses, over one store. */
export interface Identity {
  readonly store: IdentityStore;
  readonly accounts: Accounts;
  readonly authenticator: Authenticator;
}

/** Redis key prefix of sessions and login counters under the deployment's prefix. */
export const identityPrefix = (redisPrefix: string): string => `${redisPrefix}:auth`;

/** Builds the identity parts on the record (users, tokens, audit) and Redis (sessions), both the caller's. */
export function openIdentity(db: Kysely<Database>, redis: Redis, redisPrefix: string, options: AuthenticatorOptions = {}): Identity {
  const store = new RecordIdentityStore(db, redis, identityPrefix(redisPrefix));
  return { store, accounts: new Accounts(store, options.now), authenticator: new Authenticator(store, options) };
}
