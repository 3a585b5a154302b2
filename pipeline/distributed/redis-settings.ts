import type { Redis } from 'ioredis';

/**
 * What Gridworker keeps in Redis is what may be lost (queues, leases, health, latest frames);
 * the record is in PostgreSQL. Still, losing everything on a restart re-runs queued visits and
 * dispatch jobs (the outbox re-adds unsent ones only), and eviction can drop a queue's keys
 * under memory pressure, which BullMQ does not survive. Returns one line per setting to fix.
 */
export async function redisSettingWarnings(redis: Redis): Promise<string[]> {
  const get = async (name: string): Promise<string | undefined> => {
    const r = (await redis.config('GET', name)) as string[];
    return r[1];
  };
  const out: string[] = [];
  let appendonly: string | undefined;
  let save: string | undefined;
  let policy: string | undefined;
  try {
    [appendonly, save, policy] = [await get('appendonly'), await get('save'), await get('maxmemory-policy')];
  } catch (err) {
    return [`cannot read Redis settings (CONFIG GET refused: ${(err as Error).message}); check persistence and maxmemory-policy by hand (docs/persistence.md)`];
  }
  if (appendonly !== 'yes' && !save) {
    out.push('Redis keeps nothing on disk (appendonly no, save ""): a Redis restart drops queued visits, pending dispatch jobs and camera health. Cases, verdicts and the audit trail are safe in the record; set appendonly yes (docs/persistence.md)');
  }
  if (policy !== undefined && policy !== 'noeviction') {
    out.push(`Redis maxmemory-policy is ${policy}: under memory pressure it may evict BullMQ queue keys; set maxmemory-policy noeviction (docs/persistence.md)`);
  }
  return out;
}
