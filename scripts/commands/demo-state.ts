import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { GridworkerConfig } from '../../pipeline/config/config-schema.ts';
import { closeRedis, createRedis } from '../../pipeline/distributed/redis-connection.ts';

/** The demo's own Redis key prefix (demo.yaml sets it): never a deployment's. */
export const DEMO_PREFIX = 'gridworker-demo';

/**
 * Starts the demo clean: deletes every Redis key under the demo's prefix (queues, health, cases,
 * cooldowns) and its storage folder. Refuses to touch anything when the config does not use the
 * demo prefix, so a real deployment's state can never be wiped by `--demo`. Returns the number
 * of keys deleted.
 */
export async function cleanDemoState(config: GridworkerConfig, configDir: string, redisUrl: string): Promise<number> {
  if (config.redis.prefix !== DEMO_PREFIX) throw new Error(`refusing to clean state: the demo config's redis.prefix is "${config.redis.prefix}", not "${DEMO_PREFIX}"`);
  const redis = createRedis(redisUrl, 'producer');
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${DEMO_PREFIX}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await closeRedis(redis);
  }
  await rm(resolve(configDir, config.storage.dir), { recursive: true, force: true });
  return deleted;
}
