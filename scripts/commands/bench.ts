import { join } from 'node:path';
import type { Command } from 'commander';
import { ModelError } from '../../models/errors.ts';
import { runBench, type BenchOptions } from '../bench/run-bench.ts';
import { type ProgressFactory, stderrProgress } from '../bench/progress.ts';
import { terminalReport } from '../bench/report-text.ts';
import { writeReport } from '../bench/write-report.ts';
import { addModelOptions, collect, numberIn } from './model-options.ts';

/** Flags of `gridworker bench` as commander hands them over. */
export interface BenchFlags {
  data: string;
  model: string[];
  modelDir: string[];
  threads: number;
  names?: string;
  images?: string;
  classMap?: string;
  allowPartial?: boolean;
  conf: number;
  nms: number;
  maxDet: number;
  targetPrecision: number;
  limit?: number;
  out?: string;
  json?: boolean;
}

function toOptions(flags: BenchFlags): BenchOptions {
  return {
    data: flags.data,
    models: flags.model,
    modelDirs: flags.modelDir,
    threads: flags.threads,
    conf: flags.conf,
    nms: flags.nms,
    maxDetections: flags.maxDet,
    targetPrecision: flags.targetPrecision,
    operatingIou: 0.5,
    ...(flags.names === undefined ? {} : { names: flags.names }),
    ...(flags.images === undefined ? {} : { images: flags.images }),
    ...(flags.classMap === undefined ? {} : { classMap: flags.classMap }),
    ...(flags.limit === undefined ? {} : { limit: flags.limit }),
    allowPartial: flags.allowPartial ?? false,
  };
}

/**
 * Runs `bench`; resolves to the exit code: 0 done (warnings about skipped images or label lines
 * do not fail a run), 2 the dataset, a model or the class mapping cannot be used.
 */
export async function runBenchCommand(flags: BenchFlags, progress: ProgressFactory = stderrProgress): Promise<number> {
  if (!flags.model.length) {
    process.stderr.write('gridworker bench: give at least one --model <card id|card .json|.onnx>\n');
    return 2;
  }
  try {
    let report = await runBench(toOptions(flags), progress);
    if (flags.out) report = (await writeReport(report, flags.out)).report;
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      process.stdout.write(terminalReport(report));
      if (flags.out) process.stdout.write(`\nreport: ${join(flags.out, 'report.html')} (also report.md, report.json)\n`);
    }
    return 0;
  } catch (err) {
    if (!(err instanceof ModelError)) throw err;
    process.stderr.write(`gridworker bench: ${err.message}\n`);
    return 2;
  }
}

const positiveInt = (what: string) => (value: string): number => {
  const n = numberIn(1, Number.MAX_SAFE_INTEGER, what)(value);
  return Math.floor(n);
};

/** `gridworker bench --data <dir|json> --model <m> [--model <m> ...]`. */
export function registerBench(program: Command): void {
  addModelOptions(
    program
      .command('bench')
      .description('benchmark detectors on a labelled dataset: COCO accuracy, operating-point precision / recall, speed, side by side')
      .requiredOption('--data <dir|json>', 'YOLO dataset folder (images/, labels/) or COCO instances .json')
      .option('--model <card|id|onnx>', 'model to benchmark (repeatable, run in order)', collect, [])
      .option('--names <file>', 'YOLO: class names file (one per line) or data.yaml (default: found in the folder)')
      .option('--images <dir>', 'COCO json: folder of the images (default: beside the json, or images/)')
      .option('--class-map <file>', 'JSON {"dataset class": "model label" | ["label", ...] | null} for classes named differently')
      .option('--allow-partial', 'evaluate a model on the dataset classes it has, without a class map')
      .option('--conf <score>', 'minimum detection score kept', numberIn(0, 1, '--conf'), 0.001)
      .option('--nms <iou>', 'class-wise NMS IoU threshold', numberIn(0, 1, '--nms'), 0.45)
      .option('--max-det <n>', 'detections kept per image', positiveInt('--max-det'), 100)
      .option('--target-precision <p>', 'precision the reported threshold must reach', numberIn(0, 1, '--target-precision'), 0.8)
      .option('--limit <n>', 'use only the first N images', positiveInt('--limit'))
      .option('--out <dir>', 'write report.json, report.md, report.html and precision-recall PNGs here')
      .option('--json', 'print report.json to stdout instead of the table'),
    'detector processes for the speed run (1: in this process); decoding always overlaps inference',
  ).action(async (flags: BenchFlags) => {
    process.exitCode = await runBenchCommand(flags);
  });
}
