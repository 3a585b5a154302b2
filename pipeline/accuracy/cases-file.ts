import { readFile } from 'node:fs/promises';
import type { CaseRecord } from '../cases/case-model.ts';
import { CaseInputError } from './accuracy-errors.ts';
import { CasesFileSchema } from './case-schema.ts';

/** Problems listed in the error before "... and N more". */
const SHOWN = 5;

/**
 * Reads a JSON file of cases: an array of CaseRecord, or `{ "cases": [...] }`.
 * @throws CaseInputError when the file cannot be read, is not JSON, or a case is malformed (every
 * problem's path is listed, e.g. `[3].verdict.reason`, up to five).
 */
export async function readCasesFile(path: string): Promise<CaseRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CaseInputError(`cannot read cases file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CaseInputError(`cases file ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = CasesFileSchema.safeParse(json);
  if (!parsed.success) {
    // The union reports each branch's issues; the array branch's are the useful ones for an array.
    const issues = Array.isArray(json) || !(typeof json === 'object' && json !== null && 'cases' in json)
      ? parsed.error.issues.flatMap((i) => (i.code === 'invalid_union' ? (i.errors[0] ?? []) : [i]))
      : parsed.error.issues.flatMap((i) => (i.code === 'invalid_union' ? (i.errors[1] ?? []) : [i]));
    const lines = issues.slice(0, SHOWN).map((i) => `  ${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') || '(root)'}: ${i.message}`);
    const more = issues.length > SHOWN ? [`  ... and ${issues.length - SHOWN} more`] : [];
    throw new CaseInputError([`cases file ${path} is not a list of cases:`, ...lines, ...more].join('\n'));
  }
  return Array.isArray(parsed.data) ? parsed.data : parsed.data.cases;
}
