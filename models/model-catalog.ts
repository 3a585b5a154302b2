import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelCardError } from './errors.ts';
import { type ModelCard, loadModelCard } from './model-card.ts';
import { readModelFile, sha256Hex } from './onnx-session.ts';
import { inferCard } from './infer-card.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** Folders holding the bundled model cards: shipped models (zoo/) and cards for models users bring (cards/). */
export const BUNDLED_CARD_DIRS: readonly string[] = [join(here, 'zoo'), join(here, 'cards')];

/** The model used when none is named: PP-PicoDet-S 416, shipped in models/zoo/. */
export const DEFAULT_MODEL_ID = 'picodet-s-416-coco';

/** Where to look for model files a card names but that are not beside the card. */
export interface ResolveOptions {
  /** Extra folders searched for a card's `file` (e.g. ../shared/models). Also GRIDWORKER_MODEL_DIRS (':'-separated). */
  readonly modelDirs?: readonly string[];
}

/** Loads every bundled card. */
export async function listBundledCards(): Promise<ModelCard[]> {
  const paths = BUNDLED_CARD_DIRS.flatMap((dir) =>
    existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => join(dir, f)) : [],
  );
  return Promise.all(paths.map((p) => loadModelCard(p)));
}

function searchDirs(options: ResolveOptions): string[] {
  const env = process.env.GRIDWORKER_MODEL_DIRS?.split(':').filter(Boolean) ?? [];
  return [...(options.modelDirs ?? []), ...env].map((d) => resolve(d));
}

/** Points the card at its model file: beside the card, else the first search folder that has it. */
function locate(card: ModelCard, options: ResolveOptions): ModelCard {
  if (existsSync(card.modelPath)) return card;
  const dirs = searchDirs(options);
  for (const dir of dirs) {
    const candidate = join(dir, basename(card.file));
    if (existsSync(candidate)) return { ...card, modelPath: candidate };
  }
  const looked = [card.modelPath, ...dirs.map((d) => join(d, basename(card.file)))];
  throw new ModelCardError(
    `model file for card ${card.id} not found; looked in: ${looked.join(', ')} (give its folder with --model-dir or the .onnx path as --model)`,
  );
}

/**
 * Resolves what a user names with --model: nothing (the default model), a card id, a card .json
 * file, or an .onnx file (matched to a bundled card by sha256, else described from its own shapes).
 */
export async function resolveModel(spec: string | undefined, options: ResolveOptions = {}): Promise<ModelCard> {
  const name = spec ?? DEFAULT_MODEL_ID;
  if (name.endsWith('.json')) return locate(await loadModelCard(name), options);
  if (name.endsWith('.onnx')) {
    const bytes = await readModelFile(name);
    const hash = sha256Hex(bytes);
    const known = (await listBundledCards()).find((c) => c.sha256 === hash);
    if (known) return { ...known, modelPath: resolve(name) };
    return inferCard(resolve(name), bytes, hash);
  }
  const cards = await listBundledCards();
  const byId = cards.find((c) => c.id === name);
  if (!byId) {
    throw new ModelCardError(
      `unknown model "${name}": give a card id (${cards.map((c) => c.id).join(', ')}), a card .json or an .onnx file`,
    );
  }
  return locate(byId, options);
}
