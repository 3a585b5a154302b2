import { Redis, type RedisOptions } from 'ioredis';

/** Who uses a connection decides how it behaves while Redis is away. */
export type RedisRole =
  /** Queue workers and long-lived subscribers: retry forever (BullMQ requires maxRetriesPerRequest null). */
  | 'worker'
  /** Producers and request handlers: fail fast so callers can spool or answer 503. */
  | 'producer';

/** Redis URL with any password masked, for logs. */
export function maskRedisUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

/**
 * Opens an ioredis connection for a role. Every connection gets an error listener (an emitter
 * without one crashes the process on the first ECONNREFUSED); errors go to `onError`.
 */
export function createRedis(url: string, role: RedisRole, onError?: (err: Error) => void): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy: (n) => Math.min(200 * n, 2000) }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: true, connectTimeout: 2000, retryStrategy: (n) => Math.min(200 * n, 2000) };
  const redis = new Redis(url, { ...options, lazyConnect: false });
  redis.on('error', (err: Error) => onError?.(err));
  return redis;
}

/** Closes a connection, falling back to disconnect when QUIT cannot be sent. Safe to call twice. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await Promise.race([redis.quit(), new Promise((r) => setTimeout(r, 500))]);
  } catch {
    // QUIT fails when the connection is already down; disconnect below still releases it.
  }
  redis.disconnect();
}
