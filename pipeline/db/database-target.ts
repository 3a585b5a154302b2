import { join } from 'node:path';
import { DatabaseConfigError } from './db-errors.ts';
import type { OpenDatabaseOptions } from './open-database.ts';

/** Where `run` and `db migrate` find the record. */
export interface DatabaseTargetInput {
  /** DATABASE_URL (or --database-url); empty or undefined: none. */
  readonly url?: string | undefined;
  /** The storage folder; the embedded database lives in `<storage>/db`. */
  readonly storageDir: string;
  /**
   * True when this process runs only some roles (others run elsewhere and must share the record):
   * the embedded database cannot be shared, so a URL is required.
   */
  readonly split?: boolean;
}

/**
 * A PostgreSQL URL when one is given; else the embedded database in the storage folder, which
 * only one process can use, so split roles without a URL are a DatabaseConfigError saying so.
 */
export function databaseTarget(input: DatabaseTargetInput): Pick<OpenDatabaseOptions, 'url' | 'embeddedDir'> {
  const url = input.url?.trim();
  if (url) return { url };
  if (input.split) {
    throw new DatabaseConfigError(
      'split roles need a shared PostgreSQL: set DATABASE_URL (postgres://user:password@host:5432/gridworker) or run all roles in one process, which uses the embedded database in the storage folder',
    );
  }
  return { embeddedDir: join(input.storageDir, 'db') };
}
