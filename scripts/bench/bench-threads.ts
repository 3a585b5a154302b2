/**
 * `gridworker bench` speed with 1 and with 2 (or more) --threads, interleaved in one run: images
 * per second, decoding included, over the same images. Not a test; prints a table and writes JSON.
 *
 *   npx tsx scripts/bench/bench-threads.ts --data <yolo dir | coco json> [--model picodet-s-416-coco]
 *       [--threads 1,2] [--rounds 3] [--limit 64] [--out bench-results/bench-threads.json]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { numberIn } from '../commands/model-options.ts';
import { runBench } from './run-bench.ts';
import { formatTable, median } from './stats.ts';

const root = join(import.meta.dirname, '..', '..');
const program = new Command('bench-threads')
  .requiredOption('--data <dir|json>', 'dataset (as for gridworker bench)')
  .option('--names <file>', 'YOLO: class names file (as for gridworker bench)')
  .option('--model <spec>', 'model', 'picodet-s-416-coco')
  .option('--threads <list>', 'thread settings compared, comma-separated; the first is the baseline', '1,2')
  .option('--rounds <n>', 'rounds, each runs every setting once', numberIn(1, 50, '--rounds'), 3)
  .option('--limit <n>', 'images per run', numberIn(1, 100_000, '--limit'), 64)
  .option('--out <file>', 'JSON output', join(root, 'bench-results', 'bench-threads.json'))
  .parse();
const opts = program.opts<{ data: string; names?: string; model: string; threads: string; rounds: number; limit: number; out: string }>();
const settings = opts.threads.split(',').map((t) => Number(t.trim()));

const perSetting = new Map<number, number[]>(settings.map((t) => [t, []]));
const load0 = loadavg()[0]!;
for (let round = 0; round < opts.rounds; round++) {
  for (const threads of settings) {
    const report = await runBench({
      data: opts.data,
      ...(opts.names ? { names: opts.names } : {}),
      models: [opts.model],
      modelDirs: [],
      threads,
      conf: 0.001,
      nms: 0.45,
      maxDetections: 100,
      targetPrecision: 0.8,
      operatingIou: 0.5,
      limit: opts.limit,
      allowPartial: true,
    });
    const ips = report.models[0]!.speed.imagesPerSecond;
    perSetting.get(threads)!.push(ips);
    process.stderr.write(`round ${round + 1} threads ${threads}: ${ips.toFixed(1)} images/s\n`);
  }
}
const base = median(perSetting.get(settings[0]!)!);
const rows = settings.map((t) => {
  const m = median(perSetting.get(t)!);
  return { threads: t, medianImagesPerSecond: Number(m.toFixed(2)), runs: perSetting.get(t)!.map((v) => Number(v.toFixed(2))), overBaseline: Number((m / base).toFixed(2)) };
});
process.stdout.write(
  `${formatTable(['--threads', 'images/s (median)', `x --threads ${settings[0]}`, 'runs'], rows.map((r) => [r.threads, r.medianImagesPerSecond, r.overBaseline, r.runs.join(' ')]))}\n` +
    `(${opts.model}, ${opts.limit} images, ${opts.rounds} rounds interleaved; load ${load0.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)})\n`,
);
await mkdir(dirname(opts.out), { recursive: true });
await writeFile(opts.out, `${JSON.stringify({ model: opts.model, data: opts.data, limit: opts.limit, rounds: opts.rounds, rows }, null, 2)}\n`);
process.stdout.write(`wrote ${opts.out}\n`);
