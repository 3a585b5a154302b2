import { dirname, resolve } from 'node:path';
import { loadConfig } from '../config/load-config.ts';
import { databaseTarget } from '../db/database-target.ts';
import type { CaseRecord } from '../cases/case-model.ts';
import { readCasesFile } from './cases-file.ts';
import { type StoreCaseLoader, loadCasesFromStore } from './store-cases.ts';

/** Where a command reads cases from, as its flags say. */
export interface CaseInputFlags {
  /** A JSON file of cases; wins over the store. */
  readonly cases?: string;
  /** PostgreSQL URL of the record. Default $DATABASE_URL; none: the embedded database in the storage folder. */
  readonly databaseUrl?: string;
  /** A Gridworker config file for the storage folder, time zone and evidence folder. */
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
 * Reads cases for a command: from `--cases` when given, else from the record at `--database-url`
 * ($DATABASE_URL), else the embedded database in the config's storage folder (./.gridworker without one).
 * @throws CaseInputError for a bad cases file or an unreadable store; ConfigError for a bad config.
 */
export async function readCaseInput(flags: CaseInputFlags, loader: StoreCaseLoader = loadCasesFromStore): Promise<CaseInput> {
  const config = flags.config ? await loadConfig(flags.config) : undefined;
  const fromConfig = config ? { timezone: config.patrol.timezone, evidenceDir: config.storage.dir } : {};
  if (flags.cases) return { cases: await readCasesFile(flags.cases), ...fromConfig };
  const storageDir = config && flags.config ? resolve(dirname(flags.config), config.storage.dir) : resolve('.gridworker');
  return { cases: await loader(databaseTarget({ url: flags.databaseUrl ?? process.env.DATABASE_URL, storageDir })), ...fromConfig };
}
