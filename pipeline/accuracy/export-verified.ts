import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import { imageSize, mapLimited } from '../../models/evaluation/dataset-files.ts';
import type { CaseRecord } from '../cases/case-model.ts';
import { ExportError } from './accuracy-errors.ts';
import { type CaseOutcome, exportedCaseRow } from './export-cases-json.ts';
import { type ExportFormat, type ExportedImage, cocoGroundTruth, exportClasses, yoloDataYaml, yoloLabelText } from './export-formats.ts';
import { exportReadme } from './export-readme.ts';
import { type ExportItem, type SelectionOptions, type SkippedCase, selectForExport } from './export-selection.ts';
import type { ExportSummary } from './export-summary.ts';
import { isVerified } from './verified-case.ts';

/** Options of {@link exportVerified}. */
export interface ExportOptions extends SelectionOptions {
  /** Output folder; must not exist or be empty. */
  readonly outDir: string;
  /** Default 'yolo'. */
  readonly format?: ExportFormat;
  /** Folder the cases' evidence paths are relative to (config storage.dir). */
  readonly evidenceDir: string;
  /** Epoch ms stamped in the README. Default Date.now(). */
  readonly now?: number;
}

interface Ready {
  readonly item: ExportItem;
  readonly path: string;
  readonly image: ExportedImage;
}

async function checkOutDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw new ExportError(`cannot use output folder ${dir}: ${err.code ?? err.message}`, { cause: err });
  });
  if (entries.length) throw new ExportError(`output folder ${dir} is not empty; give a new or empty folder`);
}

/** A unique file name for a case's image: its id made file-safe, the evidence's extension. */
function fileNamer(): (item: ExportItem) => string {
  const used = new Set<string>();
  return (item) => {
    const base = item.case.id.replace(/[^A-Za-z0-9._-]/g, '_');
    const ext = extname(item.source).toLowerCase() || '.jpg';
    let name = `${base}${ext}`;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}${ext}`;
    used.add(name);
    return name;
  };
}

async function locate(item: ExportItem, evidenceDir: string, fileName: string): Promise<Ready | SkippedCase> {
  const root = resolve(evidenceDir);
  const path = resolve(root, item.source);
  if (path !== root && !path.startsWith(root + sep)) return { caseId: item.case.id, reason: `evidence path ${item.source} is outside the evidence folder` };
  try {
    const { width, height } = await imageSize(path);
    return { item, path, image: { fileName, width, height, objects: item.objects } };
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message.split('\n')[0];
    return { caseId: item.case.id, reason: `evidence frame ${relative(root, path)} missing or unreadable (${why})` };
  }
}

async function writeLabels(out: string, format: ExportFormat, ready: readonly Ready[], classes: readonly string[]): Promise<void> {
  const images = ready.map((r) => r.image);
  if (format === 'coco') {
    await writeFile(join(out, 'annotations.json'), `${JSON.stringify(cocoGroundTruth(images, classes), null, 1)}\n`);
    return;
  }
  await mkdir(join(out, 'labels'), { recursive: true });
  for (const img of images) {
    await writeFile(join(out, 'labels', `${img.fileName.slice(0, -extname(img.fileName).length)}.txt`), yoloLabelText(img.objects, classes));
  }
  await writeFile(join(out, 'classes.names'), classes.map((c) => `${c}\n`).join(''));
  await writeFile(join(out, 'data.yaml'), yoloDataYaml(classes));
}

/**
 * Writes verified evidence frames and their labels as a dataset `gridworker bench` reads (YOLO or
 * COCO), plus cases.json (event-level labels of every verified case) and a README. Which cases
 * become images and with what labels: see selectForExport and ObjectTruth. Frames that are
 * missing or unreadable are skipped and listed, never fatal.
 * @throws ExportError when the output folder is not empty or no case has a usable frame.
 */
export async function exportVerified(cases: readonly CaseRecord[], options: ExportOptions): Promise<ExportSummary> {
  const out = resolve(options.outDir);
  const format = options.format ?? 'yolo';
  await checkOutDir(out);
  const verified = cases.filter(isVerified);
  const { items, skipped } = selectForExport(verified, options);
  const name = fileNamer();
  const located = await mapLimited(items, 8, (item) => locate(item, options.evidenceDir, name(item)));
  const ready = located.filter((l): l is Ready => 'item' in l);
  const allSkipped = [...skipped, ...located.filter((l): l is SkippedCase => !('item' in l))];
  if (!ready.length) {
    throw new ExportError(`nothing to export: ${verified.length} verified cases, ${items.length} eligible, none with a readable evidence frame under ${options.evidenceDir}`);
  }
  const classes = exportClasses(ready.map((r) => r.image));
  await mkdir(join(out, 'images'), { recursive: true });
  for (const r of ready) await copyFile(r.path, join(out, 'images', r.image.fileName));
  await writeLabels(out, format, ready, classes);

  const outcome = new Map<string, CaseOutcome>([
    ...allSkipped.map((s): [string, CaseOutcome] => [s.caseId, { skipped: s.reason }]),
    ...ready.map((r): [string, CaseOutcome] => [r.item.case.id, { image: r.image.fileName, drawn: r.item.drawn }]),
  ]);
  const rows = verified.map((c) => exportedCaseRow(c, outcome.get(c.id) ?? { skipped: 'not selected' }));
  await writeFile(join(out, 'cases.json'), `${JSON.stringify(rows, null, 1)}\n`);

  const summary: ExportSummary = {
    outDir: out,
    format,
    createdAt: options.now ?? Date.now(),
    verifiedCases: verified.length,
    images: ready.length,
    positives: ready.filter((r) => r.item.kind === 'positive').length,
    negatives: ready.filter((r) => r.item.kind === 'negative').length,
    annotations: ready.reduce((n, r) => n + r.image.objects.length, 0),
    classes,
    drawnFrames: ready.filter((r) => r.item.drawn).length,
    skipped: allSkipped,
    benchData: format === 'yolo' ? out : join(out, 'annotations.json'),
  };
  await writeFile(join(out, 'README.md'), exportReadme(summary));
  return summary;
}
export type { ExportSummary } from './export-summary.ts';
