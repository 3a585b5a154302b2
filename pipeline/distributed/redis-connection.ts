import { Redis, type RedisOptions } from 'ioredis';

/** Who uses a connection decides how it behaves while Redis is away. */
export type RedisRole =
  /** Queue workers and long-lived subscribers: retry forever (BullMQ requires maxRetriesPerRequest null). */
  | 'worker'
  /** Producers: fail fast so callers can retry later (commands wait while reconnecting, then fail). */
  | 'producer'
  /** HTTP request handlers: no offline queue, so a command fails at once while Redis is away (503 in milliseconds). */
  | 'request';

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
      : role === 'request'
        ? { maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 1000, retryStrategy: (n) => Math.min(100 * n, 1000) }
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

/** Resolves when the connection is ready (connected and past the ready check); rejects after `timeoutMs`. */
export async function redisReady(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
