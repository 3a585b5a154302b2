import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DatasetError } from './dataset-errors.ts';

/** Class names in class-id order and the file they came from. */
export interface ClassNames {
  readonly names: readonly string[];
  readonly source: string;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new DatasetError(`cannot read class names file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
}

/**
 * Names from a darknet-style names file: one name per line, class 0 first. Trailing blank lines
 * are fine; a blank line between names is an error because it would shift every later class id.
 */
export function parseNamesText(text: string, where: string): string[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const blank = lines.indexOf('');
  if (blank !== -1) throw new DatasetError(`${where}:${blank + 1}: blank line between class names (it would shift later class ids)`);
  if (!lines.length) throw new DatasetError(`${where}: no class names in it`);
  return lines;
}

/** `names:` from an Ultralytics data.yaml: a list, or a map {0: name, 1: name} with ids 0..n-1. */
export function parseDataYamlNames(text: string, where: string): string[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new DatasetError(`${where} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  const raw = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>).names : undefined;
  let names: string[];
  if (Array.isArray(raw)) {
    names = raw.map((n) => String(n).trim());
  } else if (typeof raw === 'object' && raw !== null) {
    const entries = Object.entries(raw as Record<string, unknown>);
    const ids = entries.map(([k]) => Number(k));
    const expected = entries.map((_, i) => i);
    if ([...ids].sort((a, b) => a - b).some((id, i) => id !== expected[i])) {
      throw new DatasetError(`${where}: names map keys must be the class ids 0..${entries.length - 1}, got ${ids.join(', ')}`);
    }
    names = new Array<string>(entries.length);
    for (const [k, v] of entries) names[Number(k)] = String(v).trim();
  } else {
    throw new DatasetError(`${where}: no "names:" list or map in it`);
  }
  if (!names.length || names.some((n) => n === '')) throw new DatasetError(`${where}: names must be non-empty strings`);
  const nc = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>).nc : undefined;
  if (nc !== undefined && nc !== names.length) throw new DatasetError(`${where}: nc is ${String(nc)} but names lists ${names.length} classes`);
  return names;
}

const isYaml = (path: string): boolean => ['.yaml', '.yml'].includes(extname(path).toLowerCase());

/** Reads class names from a names/classes text file or a data.yaml. */
export async function readClassNames(path: string): Promise<ClassNames> {
  const text = await readText(path);
  return { names: isYaml(path) ? parseDataYamlNames(text, path) : parseNamesText(text, path), source: path };
}

/**
 * Finds the class names of a YOLO dataset folder: `explicit` when given, else a data.yaml
 * (data.yml, dataset.yaml), else the one *.names file, else classes.txt, at the folder's top.
 */
export async function findClassNames(dir: string, explicit?: string): Promise<ClassNames> {
  if (explicit) return readClassNames(explicit);
  for (const name of ['data.yaml', 'data.yml', 'dataset.yaml', 'dataset.yml']) {
    if (existsSync(join(dir, name))) return readClassNames(join(dir, name));
  }
  const namesFiles = readdirSync(dir).filter((f) => f.endsWith('.names'));
  if (namesFiles.length > 1) {
    throw new DatasetError(`${dir} has several .names files (${namesFiles.join(', ')}): choose one with --names`);
  }
  const [namesFile] = namesFiles;
  if (namesFile) return readClassNames(join(dir, namesFile));
  if (existsSync(join(dir, 'classes.txt'))) return readClassNames(join(dir, 'classes.txt'));
  throw new DatasetError(
    `no class names for dataset ${basename(dir)} (${dir}): it has no data.yaml, *.names or classes.txt; give a names file (one name per line) or a data.yaml with --names`,
  );
}
