/**
 * Test-only: a migrated record on the real PostgreSQL server (a scratch database per file) or on
 * an embedded PGlite (in memory), and a way to empty it between tests. Not used by library code.
 */
import { sql } from 'kysely';
import { type DatabaseHandle, openDatabase } from '../db/open-database.ts';
import { createScratchDatabase } from '../db/scratch-database.ts';

/** The two kinds of record every store test runs on. */
export const RECORD_KINDS = ['postgres', 'embedded'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** An open test record; close() closes it and drops its scratch database. */
export interface TestRecord {
  readonly handle: DatabaseHandle;
  readonly url?: string;
  truncate(): Promise<void>;
  close(): Promise<void>;
}

/** Opens (and migrates) a test record of a kind. */
export async function openTestRecord(kind: RecordKind): Promise<TestRecord> {
  const scratch = kind === 'postgres' ? await createScratchDatabase(undefined, 'rec') : undefined;
  const handle = await openDatabase(scratch ? { url: scratch.url } : {});
  let closing: Promise<void> | undefined;
  return {
    handle,
    ...(scratch ? { url: scratch.url } : {}),
    truncate: async () => {
      await sql`truncate cases, case_groups, verdicts, sightings, evidence, handling_steps, escalations, case_audit, outbox, camera_memory, units, catalogue_versions restart identity cascade`.execute(handle.db);
    },
    close: () =>
      (closing ??= (async () => {
        await handle.close();
        await scratch?.drop();
      })()),
  };
}
