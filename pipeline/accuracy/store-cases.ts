import { allCases } from '../cases/all-cases.ts';
import type { CaseRecord } from '../cases/case-model.ts';
import { CaseStore } from '../cases/case-store.ts';
import { openDatabase } from '../db/open-database.ts';
import { CaseInputError } from './accuracy-errors.ts';

/** Where the record lives: a PostgreSQL URL, or the embedded database's folder. */
export interface StoreLocation {
  /** PostgreSQL URL (may carry a password: never log it). */
  readonly url?: string;
  readonly embeddedDir?: string;
}

/** Reads every case from the record at a location, closing what it opened. */
export type StoreCaseLoader = (where: StoreLocation) => Promise<readonly CaseRecord[]>;

/** The record reader the `accuracy` and `export-verified` commands use when no `--cases` file is given. */
export const loadCasesFromStore: StoreCaseLoader = async (where) => {
  let handle: Awaited<ReturnType<typeof openDatabase>> | undefined;
  try {
    handle = await openDatabase({ ...where, migrate: false });
    const out: CaseRecord[] = [];
    for await (const c of allCases(new CaseStore(handle.db, { eventType: () => undefined }))) out.push(c);
    return out;
  } catch (err) {
    throw new CaseInputError(`cannot read cases from the record: ${(err as Error).message}`, { cause: err });
  } finally {
    await handle?.close();
  }
};
