import { allCases } from '../cases/all-cases.ts';
import { caseStorePrefix } from '../cases/case-store-prefix.ts';
import { CaseStore } from '../cases/case-store.ts';
import { closeRedis, createRedis } from '../distributed/redis-connection.ts';
import type { CaseRecord } from '../events/event-model.ts';
import { CaseInputError } from './accuracy-errors.ts';

/** Where the case store lives. */
export interface StoreLocation {
  /** Redis URL (may carry a password: never log it unmasked). */
  readonly redisUrl: string;
  /** Key prefix of the deployment (config redis.prefix). */
  readonly prefix: string;
}

/** Reads every case from the case store at a location, closing what it opened. */
export type StoreCaseLoader = (where: StoreLocation) => Promise<readonly CaseRecord[]>;

/** The case store reader the `accuracy` and `export-verified` commands use when no `--cases` file is given. */
export const loadCasesFromStore: StoreCaseLoader = async (where) => {
  const redis = createRedis(where.redisUrl, 'producer');
  try {
    const out: CaseRecord[] = [];
    for await (const c of allCases(new CaseStore(redis, { prefix: caseStorePrefix(where.prefix) }))) out.push(c);
    return out;
  } catch (err) {
    throw new CaseInputError(`cannot read cases from Redis: ${(err as Error).message}`, { cause: err });
  } finally {
    await closeRedis(redis);
  }
};
