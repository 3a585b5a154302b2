import type { CocoAnnotation, CocoGroundTruth, CocoResult } from './coco-types.ts';

const SHOWN = 5;

/** "a, b, c" for the first few values, then "(+n more)". */
export function listSome(values: readonly unknown[]): string {
  const head = values.slice(0, SHOWN).join(', ');
  return values.length > SHOWN ? `${head} (+${values.length - SHOWN} more)` : head;
}

function duplicates(values: readonly number[]): number[] {
  const seen = new Set<number>();
  const dup = new Set<number>();
  for (const v of values) (seen.has(v) ? dup : seen).add(v);
  return [...dup];
}

/**
 * Annotation ids must be unique and non-zero: pycocotools keys annotations by id (duplicates
 * collapse into one) and records a match as the gt's id, so a match with id 0 counts as a miss.
 */
export function annotationIdProblems(annotations: readonly CocoAnnotation[]): string[] {
  const problems: string[] = [];
  const dup = duplicates(annotations.map((a) => a.id));
  if (dup.length) problems.push(`duplicate annotation ids: ${listSome(dup)}`);
  if (annotations.some((a) => a.id === 0)) {
    problems.push('annotation id 0 is not allowed (pycocotools would count its matches as false positives)');
  }
  return problems;
}

/** Consistency of a ground-truth file: unique ids, annotations on known images and categories. */
export function groundTruthProblems(gt: CocoGroundTruth): string[] {
  const problems: string[] = [];
  const dupImages = duplicates(gt.images.map((i) => i.id));
  if (dupImages.length) problems.push(`duplicate image ids: ${listSome(dupImages)}`);
  const dupCats = duplicates(gt.categories.map((c) => c.id));
  if (dupCats.length) problems.push(`duplicate category ids: ${listSome(dupCats)}`);
  problems.push(...annotationIdProblems(gt.annotations));
  const images = new Set(gt.images.map((i) => i.id));
  const cats = new Set(gt.categories.map((c) => c.id));
  const badImage = gt.annotations.filter((a) => !images.has(a.image_id)).map((a) => `${a.id} (image_id ${a.image_id})`);
  if (badImage.length) problems.push(`annotations on images not listed in images: ${listSome(badImage)}`);
  const badCat = gt.annotations.filter((a) => !cats.has(a.category_id)).map((a) => `${a.id} (category_id ${a.category_id})`);
  if (badCat.length) problems.push(`annotations with categories not listed in categories: ${listSome(badCat)}`);
  return problems;
}

/** Results must only name images of the ground truth (pycocotools' loadRes asserts this). */
export function resultProblems(gt: CocoGroundTruth, results: readonly CocoResult[]): string[] {
  const images = new Set(gt.images.map((i) => i.id));
  const unknown = [...new Set(results.filter((r) => !images.has(r.image_id)).map((r) => r.image_id))];
  if (!unknown.length) return [];
  const count = results.filter((r) => !images.has(r.image_id)).length;
  return [`${count} detection(s) are on images not in the ground truth: image_id ${listSome(unknown)}`];
}
