/**
 * `gridworker bench` speed with 1 and with 2 (or more) --threads, interleaved in one run: images
 * per second, decoding included, over the same images. Not a test; prints a table and writes JSON.
 *
 * Next to the wall-clock figure it reports the CPU seconds per image while the images run (this
 * process with its libuv and libvips threads, and the detector processes; model loading excluded) and
 * where they went (median decode / preprocess / inference ms), and the images/s the cores would
 * allow at that CPU cost. On a loaded machine the wall-clock ratio mostly measures the load; the
 * CPU per image says whether the extra processes add work (IPC, decode contention) or only wait.
 *
 *   npx tsx scripts/bench/bench-threads.ts --data <yolo dir | coco json> [--model picodet-s-416-coco]
 *       [--threads 1,2] [--rounds 3] [--limit 64] [--out bench-results/bench-threads.json]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { numberIn } from '../commands/model-options.ts';
import type { ProgressFactory } from './progress.ts';
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

/** utime + stime (and with `reaped`, cutime + cstime: children that have exited) from a /proc stat line. */
const ticks = (stat: string, reaped = false): number => {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  return f[11]! + f[12]! + (reaped ? f[13]! + f[14]! : 0);
};

/**
 * CPU seconds so far of this process (all its threads) and of its child processes (the detector
 * processes, live or reaped), read from /proc. Taken when the images start (models loaded) and when
 * they end (before the pool closes), so model loading is not counted.
 */
function cpuSeconds(): number {
  // A detector process that exits between the two readings moves from the live sum to the reaped one.
  let total = ticks(readFileSync('/proc/self/stat', 'utf8'), true);
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) total += ticks(stat);
    } catch {
      // gone meanwhile
    }
  }
  return total / 100;
}

interface Run {
  readonly imagesPerSecond: number;
  readonly cpuSPerImage: number;
  readonly decodeMs: number;
  readonly preprocessMs: number;
  readonly inferenceMs: number;
}

const cores = availableParallelism();
const perSetting = new Map<number, Run[]>(settings.map((t) => [t, []]));
const load0 = loadavg()[0]!;
for (let round = 0; round < opts.rounds; round++) {
  for (const threads of settings) {
    let cpu0 = 0;
    let cpu1 = 0;
    // From the first image to the last: model loading (a pool starts its processes), closing and
    // the accuracy evaluation are left out.
    const window: ProgressFactory = () => ({
      tick: () => {},
      stop: () => {},
      imagesStart: () => void (cpu0 = cpuSeconds()),
      imagesEnd: () => void (cpu1 = cpuSeconds()),
    });
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
    }, window);
    const speed = report.models[0]!.speed;
    const cpuSPerImage = (cpu1 - cpu0) / Math.max(1, speed.images);
    perSetting.get(threads)!.push({ imagesPerSecond: speed.imagesPerSecond, cpuSPerImage, decodeMs: speed.decodeMs.median, preprocessMs: speed.preprocessMs.median, inferenceMs: speed.inferenceMs.median });
    process.stderr.write(`round ${round + 1} threads ${threads}: ${speed.imagesPerSecond.toFixed(1)} images/s, ${(cpuSPerImage * 1000).toFixed(1)} CPU ms/image\n`);
  }
}
const med = (t: number, f: (r: Run) => number): number => median(perSetting.get(t)!.map(f));
const base = med(settings[0]!, (r) => r.imagesPerSecond);
const rows = settings.map((t) => {
  const m = med(t, (r) => r.imagesPerSecond);
  const cpuMs = med(t, (r) => r.cpuSPerImage) * 1000;
  return {
    threads: t,
    medianImagesPerSecond: Number(m.toFixed(2)),
    runs: perSetting.get(t)!.map((r) => Number(r.imagesPerSecond.toFixed(2))),
    overBaseline: Number((m / base).toFixed(2)),
    cpuMsPerImage: Number(cpuMs.toFixed(1)),
    /** Images/s the machine's cores allow at this CPU cost (no setting can use more cores than it has workers). */
    cpuCeilingImagesPerSecond: Number(((Math.min(cores, t + 1) * 1000) / cpuMs).toFixed(1)),
    decodeMs: Number(med(t, (r) => r.decodeMs).toFixed(1)),
    preprocessMs: Number(med(t, (r) => r.preprocessMs).toFixed(1)),
    inferenceMs: Number(med(t, (r) => r.inferenceMs).toFixed(1)),
  };
});
process.stdout.write(
  `${formatTable(
    ['--threads', 'images/s (median)', `x --threads ${settings[0]}`, 'CPU ms/image', 'cores allow images/s', 'decode ms', 'preprocess ms', 'inference ms', 'runs'],
    rows.map((r) => [r.threads, r.medianImagesPerSecond, r.overBaseline, r.cpuMsPerImage, r.cpuCeilingImagesPerSecond, r.decodeMs, r.preprocessMs, r.inferenceMs, r.runs.join(' ')]),
  )}\n` + `(${opts.model}, ${opts.limit} images, ${opts.rounds} rounds interleaved, ${cores} cores; load ${load0.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)})\n`,
);
await mkdir(dirname(opts.out), { recursive: true });
await writeFile(opts.out, `${JSON.stringify({ model: opts.model, data: opts.data, limit: opts.limit, rounds: opts.rounds, cores, load: [load0, loadavg()[0]], rows }, null, 2)}\n`);
process.stdout.write(`wrote ${opts.out}\n`);
