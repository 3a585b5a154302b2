import type { CaseRecord } from '../cases/case-model.ts';

/**
 * Where accuracy reads cases from: the case store, a file, a test's array. Either form of answer
 * is fine; {@link collectCases} reads both.
 */
export interface CaseSource {
  allCases(): AsyncIterable<CaseRecord> | Promise<readonly CaseRecord[]>;
}

/** Reads every case a source has. */
export async function collectCases(source: CaseSource): Promise<CaseRecord[]> {
  const all = source.allCases();
  if (Symbol.asyncIterator in all) {
    const out: CaseRecord[] = [];
    for await (const c of all) out.push(c);
    return out;
  }
  return [...(await all)];
}

/** A source over cases already in memory. */
export function arrayCaseSource(cases: readonly CaseRecord[]): CaseSource {
  return { allCases: async () => cases };
}
