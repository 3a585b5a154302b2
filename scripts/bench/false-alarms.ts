/**
 * False-alarm benchmark (not a test): runs each model over frames that show none of its classes
 * (e.g. the negatives `gridworker train --hold-out-negatives` kept out of training, listed in
 * <id>.held-out-negatives.txt) and counts the frames with at least one detection at the card's
 * operating threshold (and at the rule default 0.4). Prints a table and writes JSON.
 *
 *   npx tsx scripts/bench/false-alarms.ts --images <list.txt|dir> --model <id|card> [--model ...]
 *        [--out bench-results/false-alarms.json] [--model-dir <dir>]
 */
import { readdir, readFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { Command } from 'commander';
import { Detector } from '../../models/detector.ts';
import { IMAGE_EXTENSIONS } from '../../models/evaluation/dataset-files.ts';
import { resolveModel } from '../../models/model-catalog.ts';
import { loadImageFile } from '../../models/preprocess/image-file.ts';
import { collect } from '../commands/model-options.ts';
import { formatTable } from './stats.ts';

interface Row {
  model: string;
  images: number;
  threshold: number;
  framesWithDetections: number;
  falseAlarmRate: number;
  at040: number;
  falseAlarmRateAt040: number;
}

async function imageList(spec: string): Promise<string[]> {
  if (statSync(spec).isDirectory()) {
    return (await readdir(spec)).filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase())).sort().map((f) => join(spec, f));
  }
  return (await readFile(spec, 'utf8')).split('\n').map((l) => l.trim()).filter(Boolean).map((p) => resolve(dirname(spec), p));
}

async function main(): Promise<void> {
  const opts = new Command()
    .requiredOption('--images <list|dir>', 'a text file with one image path per line, or a folder of images')
    .option('--model <m>', 'model id or card (repeatable)', collect, [])
    .option('--model-dir <dir>', 'folder for model files', collect, [])
    .option('--out <file>', 'JSON output', 'bench-results/false-alarms.json')
    .parse()
    .opts<{ images: string; model: string[]; modelDir: string[]; out: string }>();
  const images = await imageList(opts.images);
  const rows: Row[] = [];
  for (const spec of opts.model) {
    const card = await resolveModel(spec, { modelDirs: opts.modelDir });
    const detector = await Detector.load(card);
    let hit = 0;
    let hit40 = 0;
    try {
      for (const path of images) {
        const { detections } = await detector.detect(await loadImageFile(path), { scoreThreshold: Math.min(card.thresholds.score, 0.4) });
        if (detections.items.some((d) => d.score >= card.thresholds.score)) hit++;
        if (detections.items.some((d) => d.score >= 0.4)) hit40++;
      }
    } finally {
      await detector.close();
    }
    rows.push({ model: card.id, images: images.length, threshold: card.thresholds.score, framesWithDetections: hit, falseAlarmRate: hit / images.length, at040: hit40, falseAlarmRateAt040: hit40 / images.length });
  }
  const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;
  process.stdout.write(
    `${formatTable(
      ['model', 'frames', 'card thr.', 'frames with a detection', 'false-alarm rate', 'at 0.40'],
      rows.map((r) => [r.model, r.images, r.threshold.toFixed(2), r.framesWithDetections, pct(r.falseAlarmRate), `${r.at040} (${pct(r.falseAlarmRateAt040)})`]),
    )}\n`,
  );
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, `${JSON.stringify({ images: opts.images, rows }, null, 2)}\n`);
}

await main();
