import type { Redis } from 'ioredis';
import type { ReadinessCheck } from './api/readiness.ts';
import type { CaseStore } from './cases/case-store.ts';
import type { PatrolStore } from './distributed/patrol-store.ts';
import type { StorageGuard } from './storage/storage-guard.ts';

/** A leader publishes its status every second; older than this, no scheduler is leading. */
export const LEADER_STALE_MS = 10_000;

/** The parts this process's /readyz checks. */
export interface ReadinessParts {
  readonly redis: Redis;
  readonly caseStore: Pick<CaseStore, 'list'>;
  readonly patrolStore: Pick<PatrolStore, 'readStatus'>;
  readonly storage: StorageGuard;
  /** The worker's models (worker role): those the config names that are not running, with why. */
  readonly models: { readonly failed: readonly { readonly spec: string; readonly error: Error }[] } | undefined;
  /** Whether this process runs the worker role (then its models must be loaded). */
  readonly hasWorker: boolean;
}

/**
 * Readiness of one process: Redis answers PING, the case store answers a one-case list, the
 * storage folder is writable with free space above its floor, every model the cameras name is
 * loaded (worker role; none named is fine),
 * and some scheduler leads (its published status is fresh).
 */
export function readinessChecks(p: ReadinessParts): ReadinessCheck[] {
  const checks: ReadinessCheck[] = [
    {
      name: 'redis',
      check: async () => {
        if (p.redis.status !== 'ready') throw new Error('Redis is not reachable');
        await p.redis.ping();
      },
    },
    {
      name: 'cases',
      check: async () => {
        try {
          await p.caseStore.list({ limit: 1 });
        } catch {
          throw new Error('the case store does not answer');
        }
      },
    },
    { name: 'storage', check: () => p.storage.check() },
  ];
  if (p.hasWorker) {
    checks.push({
      name: 'model',
      check: async () => {
        if (!p.models) throw new Error('the models are not loaded yet');
        const failed = p.models.failed;
        if (failed.length) throw new Error(`models not loaded: ${failed.map((f) => `"${f.spec}": ${f.error.message}`).join('; ')}`);
      },
    });
  }
  checks.push({
    name: 'leader',
    check: async () => {
      const status = await p.patrolStore.readStatus().catch(() => {
        throw new Error('cannot read the leader status: Redis is not reachable');
      });
      if (!status) throw new Error('no scheduler is leading (no status published)');
      const age = Date.now() - status.at;
      if (age > LEADER_STALE_MS) throw new Error(`the leader's status is ${Math.round(age / 1000)} s old: no scheduler is leading`);
    },
  });
  return checks;
}
