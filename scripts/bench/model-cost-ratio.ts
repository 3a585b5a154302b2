/**
 * Inference cost of models against a base model, measured interleaved (base, A, B, base, A, B,
 * ...) on the same frames in one process, so a shared machine's load falls on all of them alike.
 * Reports the median session time of each and the median of the per-round ratios to the base.
 * Prints a table and writes JSON.
 *
 *   npx tsx scripts/bench/model-cost-ratio.ts --base picodet-s-416-coco --model picodet-s-416-garbage
 *        [--model ...] [--rounds 300] [--out bench-results/model-cost-ratio.json]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { Detector } from '../../models/detector.ts';
import { resolveModel } from '../../models/model-catalog.ts';
import { loadImageFile } from '../../models/preprocess/image-file.ts';
import { collect } from '../commands/model-options.ts';
import { formatTable, median } from './stats.ts';

const root = join(import.meta.dirname, '..', '..');

async function main(): Promise<void> {
  const opts = new Command()
    .requiredOption('--base <m>', 'base model id or card')
    .option('--model <m>', 'model to compare (repeatable)', collect, [])
    .option('--rounds <n>', 'interleaved rounds', (v) => Number(v), 300)
    .option('--out <file>', 'JSON output', 'bench-results/model-cost-ratio.json')
    .parse()
    .opts<{ base: string; model: string[]; rounds: number; out: string }>();
  const frames = await Promise.all(
    ['coco/images/000000000641.jpg', 'scenes/overflowing-bin.jpg', 'scenes/smoke.jpg'].map((f) => loadImageFile(join(root, 'test-fixtures', f))),
  );
  const detectors = await Promise.all([opts.base, ...opts.model].map(async (m) => Detector.load(await resolveModel(m))));
  const times: number[][] = detectors.map(() => []);
  try {
    for (let r = -10; r < opts.rounds; r++) {
      const frame = frames[Math.abs(r) % frames.length]!;
      for (let i = 0; i < detectors.length; i++) {
        const { timingsMs } = await detectors[i]!.detect(frame);
        if (r >= 0) times[i]!.push(timingsMs.inference);
      }
    }
  } finally {
    await Promise.all(detectors.map((d) => d.close()));
  }
  const rows = detectors.map((d, i) => {
    const ratios = times[i]!.map((t, r) => t / times[0]![r]!);
    return { model: d.card.id, inferenceMedianMs: median(times[i]!), ratioToBaseMedian: median(ratios), ratioOfMedians: median(times[i]!) / median(times[0]!) };
  });
  process.stdout.write(
    `${formatTable(['model', 'inference ms (median)', 'ratio to base (median of rounds)', 'ratio of medians'], rows.map((r) => [r.model, r.inferenceMedianMs.toFixed(2), r.ratioToBaseMedian.toFixed(3), r.ratioOfMedians.toFixed(3)]))}\n`,
  );
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, `${JSON.stringify({ base: opts.base, rounds: opts.rounds, rows }, null, 2)}\n`);
}

await main();
