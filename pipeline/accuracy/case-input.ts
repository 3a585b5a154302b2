import { loadConfig } from '../config/load-config.ts';
import type { CaseRecord } from '../events/event-model.ts';
import { readCasesFile } from './cases-file.ts';
import { type StoreCaseLoader, loadCasesFromStore } from './store-cases.ts';

/** Where a command reads cases from, as its flags say. */
export interface CaseInputFlags {
  /** A JSON file of cases; wins over the store. */
  readonly cases?: string;
  /** Redis URL of the case store. Default: the config's, else $REDIS_URL, else redis://127.0.0.1:6379. */
  readonly redis?: string;
  /** Key prefix. Default: the config's, else "gridworker". */
  readonly prefix?: string;
  /** A Gridworker config file for the Redis location, time zone and evidence folder. */
  readonly config?: string;
}

/** The cases and what the config says about reading them. */
export interface CaseInput {
  readonly cases: readonly CaseRecord[];
  /** patrol.timezone of the config, when one was given. */
  readonly timezone?: string;
  /** storage.dir of the config (where evidence paths are relative to), when one was given. */
  readonly evidenceDir?: string;
}

/**
 * Reads cases for a command: from `--cases` when given, else from the case store at `--redis` /
 * `--prefix` (defaults from `--config`, then the environment).
 * @throws CaseInputError for a bad cases file or an unreadable store; ConfigError for a bad config.
 */
export async function readCaseInput(flags: CaseInputFlags, loader: StoreCaseLoader = loadCasesFromStore): Promise<CaseInput> {
  const config = flags.config ? await loadConfig(flags.config) : undefined;
  const fromConfig = config ? { timezone: config.patrol.timezone, evidenceDir: config.storage.dir } : {};
  if (flags.cases) return { cases: await readCasesFile(flags.cases), ...fromConfig };
  const redisUrl = flags.redis ?? config?.redis.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = flags.prefix ?? config?.redis.prefix ?? 'gridworker';
  return { cases: await loader({ redisUrl, prefix }), ...fromConfig };
}
