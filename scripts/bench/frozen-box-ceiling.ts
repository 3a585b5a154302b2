/**
 * How far a frozen box regression can carry a retrained class head (not a test): for every
 * labelled object, the best IoU any anchor's frozen box reaches with it. The share of objects
 * reaching IoU 0.5 bounds the recall (and so AP50) a new class head on that base can have.
 * Prints a table per class and writes JSON.
 *
 *   npx tsx scripts/bench/frozen-box-ceiling.ts --data <yolo images dir> --names <data.yaml>
 *        [--base picodet-s-416-coco] [--out bench-results/frozen-box-ceiling.json]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command } from 'commander';
import { loadYoloDataset } from '../../models/evaluation/yolo-dataset.ts';
import { resolveModel } from '../../models/model-catalog.ts';
import { loadImageFile } from '../../models/preprocess/image-file.ts';
import { FeatureExtractor } from '../../models/training/feature-extractor.ts';
import { formatTable, median } from './stats.ts';

async function main(): Promise<void> {
  const opts = new Command()
    .requiredOption('--data <dir>', 'YOLO images folder')
    .requiredOption('--names <file>', 'names file or data.yaml')
    .option('--base <m>', 'base model', 'picodet-s-416-coco')
    .option('--out <file>', 'JSON output', 'bench-results/frozen-box-ceiling.json')
    .parse()
    .opts<{ data: string; names: string; base: string; out: string }>();
  const dataset = await loadYoloDataset(opts.data, { names: opts.names });
  const extractor = await FeatureExtractor.load(await resolveModel(opts.base));
  const best = new Map<number, number[]>();
  try {
    for (const image of dataset.images) {
      const { boxes, transform: t } = await extractor.extract(await loadImageFile(image.path));
      for (const a of dataset.groundTruth.annotations.filter((x) => x.image_id === image.id)) {
        const [x, y, w, h] = a.bbox;
        const g = [x * t.scaleX + t.padX, y * t.scaleY + t.padY, (x + w) * t.scaleX + t.padX, (y + h) * t.scaleY + t.padY] as const;
        let top = 0;
        for (let i = 0; i < boxes.length; i += 4) {
          const iw = Math.min(boxes[i + 2]!, g[2]) - Math.max(boxes[i]!, g[0]);
          const ih = Math.min(boxes[i + 3]!, g[3]) - Math.max(boxes[i + 1]!, g[1]);
          if (iw <= 0 || ih <= 0) continue;
          const inter = iw * ih;
          const union = (boxes[i + 2]! - boxes[i]!) * (boxes[i + 3]! - boxes[i + 1]!) + (g[2] - g[0]) * (g[3] - g[1]) - inter;
          top = Math.max(top, inter / union);
        }
        best.set(a.category_id, [...(best.get(a.category_id) ?? []), top]);
      }
    }
  } finally {
    await extractor.close();
  }
  const rows = dataset.groundTruth.categories.map((c) => {
    const v = best.get(c.id) ?? [];
    const share = (t: number): number => v.filter((x) => x >= t).length / Math.max(1, v.length);
    return { class: c.name, objects: v.length, medianBestIou: v.length ? median(v) : 0, reach50: share(0.5), reach75: share(0.75) };
  });
  process.stdout.write(`${formatTable(['class', 'objects', 'median best IoU', 'share >= 0.50', 'share >= 0.75'], rows.map((r) => [r.class, r.objects, r.medianBestIou.toFixed(3), r.reach50.toFixed(3), r.reach75.toFixed(3)]))}\n`);
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, `${JSON.stringify({ data: opts.data, base: opts.base, rows }, null, 2)}\n`);
}

await main();
