import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TrainingInputError } from './training-errors.ts';

/** Where a training run reads its images, labels and class names. */
export interface DatasetSplits {
  /** Folder of training images (labels mirrored under labels/). */
  readonly train: string;
  /** Folder of validation images, when there is one. */
  readonly val: string | undefined;
  /** The folder names and licence are looked up in. */
  readonly root: string;
}

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

/**
 * A YOLO folder with `images/train` trains on that split and, unless `val` is given, validates on
 * `images/val` (or `images/valid`) when present. Any other folder is all training images.
 * @throws TrainingInputError naming a folder that does not exist.
 */
export function resolveSplits(data: string, val?: string): DatasetSplits {
  const root = resolve(data);
  if (!isDir(root)) throw new TrainingInputError(`training data folder ${data} does not exist or is not a folder`);
  if (val !== undefined && !isDir(resolve(val))) throw new TrainingInputError(`validation folder ${val} does not exist or is not a folder`);
  const train = isDir(join(root, 'images', 'train')) ? join(root, 'images', 'train') : root;
  const guess = train === root ? undefined : ['val', 'valid'].map((s) => join(root, 'images', s)).find(isDir);
  return { train, val: val === undefined ? guess : resolve(val), root };
}

/** README and licence-notice files at the top of a dataset folder, sorted (LICENSE files of 30 kB are left out). */
function noticeFiles(root: string): string[] {
  if (!isDir(root)) return [];
  return readdirSync(root)
    .filter((f) => /^(readme|licen[cs]e-notice)/i.test(f))
    .sort();
}

/**
 * The licence notice of a dataset folder: the paragraph starting "Licence:" / "License:" in its
 * README files, with the attribution line after it when there is one. Undefined when none says.
 */
export function findDataLicence(root: string): string | undefined {
  const readmes = noticeFiles(root);
  for (const file of readmes) {
    const text = readFileSync(join(root, file), 'utf8');
    const match = /^[-*\s]*Licen[cs]e:\s*(.+(?:\n(?![-*]|\n).+)*)/im.exec(text);
    if (match?.[1]) return match[1].replace(/\s*\n\s*/g, ' ').trim();
  }
  return undefined;
}

/** The README texts of a dataset folder (kept with anything derived from it, as CC BY asks). */
export function readDataNotices(root: string): string {
  const readmes = noticeFiles(root);
  return readmes.map((f) => `## ${f}\n\n${readFileSync(join(root, f), 'utf8').trim()}\n`).join('\n');
}
