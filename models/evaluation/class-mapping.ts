import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { CocoCategory } from './coco-types.ts';
import { ClassMappingError } from './dataset-errors.ts';

/**
 * A class-map file: dataset class name -> the model label(s) that stand for it, or null to leave
 * that dataset class out of the evaluation on purpose. Names not in it are matched by name.
 */
export const ClassMapSchema = z.record(z.string().min(1), z.union([z.string().min(1), z.array(z.string().min(1)).min(1), z.null()]));
/** A parsed class-map file. */
export type ClassMap = z.infer<typeof ClassMapSchema>;

/** How one dataset category is evaluated. */
export interface MappedClass {
  readonly categoryId: number;
  readonly datasetName: string;
  /** Model labels whose detections count as this category. */
  readonly modelLabels: readonly string[];
}

/** How a model's classes line up with a dataset's. */
export interface ClassMapping {
  /** full: every dataset class has a model class; partial: some do; none: no dataset class does. */
  readonly status: 'full' | 'partial' | 'none';
  readonly mapped: readonly MappedClass[];
  /** Dataset class names with no model class (including those the class map sets to null). */
  readonly unmapped: readonly string[];
  /** Model class index -> dataset category id, for converting detections. */
  readonly modelToCategory: ReadonlyMap<number, number>;
}

/** Names compare trimmed, case-insensitive, with '_' and '-' read as spaces ("traffic_light" = "Traffic light"). */
export function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ');
}

/** Reads and validates a class-map JSON file ({"dataset name": "model label" | ["label", ...] | null}). */
export async function loadClassMap(path: string): Promise<ClassMap> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new ClassMappingError(`cannot read class map ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  const parsed = ClassMapSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ClassMappingError(`class map ${path} is invalid: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'} (expected {"dataset name": "model label" | ["label", ...] | null})`);
  }
  return parsed.data;
}

function checkClassMap(classMap: ClassMap, categories: readonly CocoCategory[], modelLabels: readonly string[]): void {
  const datasetNames = new Set(categories.map((c) => normaliseName(c.name)));
  const labels = new Set(modelLabels.map(normaliseName));
  const unknownKeys = Object.keys(classMap).filter((k) => !datasetNames.has(normaliseName(k)));
  const values = Object.values(classMap).flatMap((v) => (v === null ? [] : Array.isArray(v) ? v : [v]));
  const unknownLabels = values.filter((v) => !labels.has(normaliseName(v)));
  const problems = [
    unknownKeys.length ? `not dataset classes: ${unknownKeys.join(', ')}` : '',
    unknownLabels.length ? `not model labels: ${unknownLabels.join(', ')}` : '',
  ].filter(Boolean);
  if (problems.length) throw new ClassMappingError(`class map names unknown classes: ${problems.join('; ')}`);
}

/**
 * Lines up dataset categories with model labels: through the class map where it names a dataset
 * class, else by (normalised) name. Model classes that stand for no dataset class are left out
 * (their detections are not evaluated).
 * @throws ClassMappingError when the class map names a dataset class or model label that does not exist.
 */
export function mapClasses(categories: readonly CocoCategory[], modelLabels: readonly string[], classMap: ClassMap = {}): ClassMapping {
  checkClassMap(classMap, categories, modelLabels);
  const byLabel = new Map<string, number[]>();
  modelLabels.forEach((l, i) => byLabel.set(normaliseName(l), [...(byLabel.get(normaliseName(l)) ?? []), i]));
  const mapEntries = new Map(Object.entries(classMap).map(([k, v]) => [normaliseName(k), v]));
  const mapped: MappedClass[] = [];
  const unmapped: string[] = [];
  const modelToCategory = new Map<number, number>();
  for (const cat of categories) {
    const key = normaliseName(cat.name);
    const entry = mapEntries.has(key) ? mapEntries.get(key)! : cat.name;
    const wanted = entry === null ? [] : Array.isArray(entry) ? entry : [entry];
    const indices = wanted.flatMap((w) => byLabel.get(normaliseName(w)) ?? []);
    const taken = indices.filter((i) => modelToCategory.has(i));
    if (taken.length) {
      throw new ClassMappingError(`model label "${modelLabels[taken[0]!]}" stands for more than one dataset class; map it to one only`);
    }
    if (!indices.length) {
      unmapped.push(cat.name);
      continue;
    }
    for (const i of indices) modelToCategory.set(i, cat.id);
    mapped.push({ categoryId: cat.id, datasetName: cat.name, modelLabels: indices.map((i) => modelLabels[i]!) });
  }
  const status = unmapped.length === 0 ? 'full' : mapped.length === 0 ? 'none' : 'partial';
  return { status, mapped, unmapped, modelToCategory };
}
