import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { CocoDataError, CocoFileError } from './coco-errors.ts';
import type { CocoAnnotation, CocoCategory, CocoGroundTruth, CocoImage, CocoResult } from './coco-types.ts';
import { groundTruthProblems, resultProblems } from './coco-validate.ts';

// Keys the bbox evaluation does not use (segmentation, coco_url, info, licenses, ...) are allowed
// and dropped: these are interchange files written by many tools, not our own config.
const id = z.number().int();
const box = z.tuple([
  z.number(),
  z.number(),
  z.number().min(0, 'box width must be >= 0'),
  z.number().min(0, 'box height must be >= 0'),
]);

const CocoImageSchema = z.object({
  id,
  file_name: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
}) satisfies z.ZodType<CocoImage>;

const CocoAnnotationSchema = z.object({
  id,
  image_id: id,
  category_id: id,
  bbox: box.describe('[x, y, width, height] in pixels'),
  area: z.number().min(0).describe('object area in square pixels'),
  iscrowd: z.union([z.literal(0), z.literal(1)], { error: 'iscrowd must be 0 or 1' }),
}) satisfies z.ZodType<CocoAnnotation>;

const CocoCategorySchema = z.object({
  id,
  name: z.string(),
  supercategory: z.string().optional(),
}) satisfies z.ZodType<CocoCategory>;

/** A COCO ground-truth (instances) file. */
export const CocoGroundTruthSchema = z.object({
  images: z.array(CocoImageSchema),
  annotations: z.array(CocoAnnotationSchema),
  categories: z.array(CocoCategorySchema).min(1, 'at least one category is needed'),
}) satisfies z.ZodType<CocoGroundTruth>;

const CocoResultSchema = z.object({
  image_id: id,
  category_id: id,
  bbox: box,
  score: z.number(),
}) satisfies z.ZodType<CocoResult>;

/** A COCO results file: a JSON array of detections. */
export const CocoResultsSchema = z.array(CocoResultSchema);

const SHOWN_ISSUES = 10;

/** "annotations[3].bbox[2]: reason" lines for the first few issues. */
function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  const lines = issues.slice(0, SHOWN_ISSUES).map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    return `${path.replace(/^\./, '') || '(root)'}: ${issue.message}`;
  });
  if (issues.length > SHOWN_ISSUES) lines.push(`(+${issues.length - SHOWN_ISSUES} more issues)`);
  return lines.join('; ');
}

/** Validates parsed JSON as a COCO ground truth; `where` names the source in errors. */
export function parseCocoGroundTruth(json: unknown, where: string): CocoGroundTruth {
  const parsed = CocoGroundTruthSchema.safeParse(json);
  if (!parsed.success) throw new CocoDataError(`COCO ground truth ${where} is invalid: ${formatIssues(parsed.error.issues)}`);
  const problems = groundTruthProblems(parsed.data);
  if (problems.length) throw new CocoDataError(`COCO ground truth ${where} is inconsistent: ${problems.join('; ')}`);
  return parsed.data;
}

/** Validates parsed JSON as a COCO results array; `where` names the source in errors. */
export function parseCocoResults(json: unknown, where: string): CocoResult[] {
  const parsed = CocoResultsSchema.safeParse(json);
  if (!parsed.success) throw new CocoDataError(`COCO results ${where} are invalid: ${formatIssues(parsed.error.issues)}`);
  return parsed.data;
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new CocoFileError(`cannot read COCO ${what} ${path}: ${reason}`, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CocoFileError(`COCO ${what} ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** Reads and validates a COCO ground-truth (instances) JSON file. */
export async function loadCocoGroundTruth(path: string): Promise<CocoGroundTruth> {
  return parseCocoGroundTruth(await readJson(path, 'ground truth'), path);
}

/** Reads and validates a COCO results JSON file (an array of scored boxes). */
export async function loadCocoResults(path: string): Promise<CocoResult[]> {
  return parseCocoResults(await readJson(path, 'results'), path);
}

/** Reads both files and checks that every detection is on an image of the ground truth. */
export async function loadCocoEvalInputs(
  groundTruthPath: string,
  resultsPath: string,
): Promise<{ groundTruth: CocoGroundTruth; results: CocoResult[] }> {
  const [groundTruth, results] = await Promise.all([loadCocoGroundTruth(groundTruthPath), loadCocoResults(resultsPath)]);
  const problems = resultProblems(groundTruth, results);
  if (problems.length) {
    throw new CocoDataError(`COCO results ${resultsPath} do not fit ground truth ${groundTruthPath}: ${problems.join('; ')}`);
  }
  return { groundTruth, results };
}
