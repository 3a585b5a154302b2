import type { Redis } from 'ioredis';
import { Accounts } from './accounts.ts';
import { Authenticator, type AuthenticatorOptions } from './authenticator.ts';
import type { IdentityStore } from './identity-store.ts';
import { RedisIdentityStore } from './redis-identity-store.ts';

/** The identity parts one process uses, over one store. */
export interface Identity {
  readonly store: IdentityStore;
  readonly accounts: Accounts;
  readonly authenticator: Authenticator;
}

/** Redis key prefix of the identity store under the deployment's prefix. */
export const identityPrefix = (redisPrefix: string): string => `${redisPrefix}:auth`;

/** Builds the identity parts on a Redis connection the caller owns (and closes). */
export function openIdentity(redis: Redis, redisPrefix: string, options: AuthenticatorOptions = {}): Identity {
  const store = new RedisIdentityStore(redis, identityPrefix(redisPrefix));
  return { store, accounts: new Accounts(store, options.now), authenticator: new Authenticator(store, options) };
}
