/**
 * Detector speed benchmark (not a test): for each model, on a 1920x1080 raw RGB frame, the median
 * of many runs in one process of: preprocess, bare session.run, decode+NMS, and the whole detect
 * path, with the ratio whole / bare (medians; and the median of the per-run ratios, which load
 * from other processes disturbs less). Prints a table and writes JSON.
 *
 *   npx tsx scripts/bench/detector-speed.ts [--runs 200] [--out bench-results/detector-speed.json]
 *        [--model <id|card|onnx> ...] [--model-dir <dir>] [--threads 1]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import sharp from 'sharp';
import { getDecoder } from '../../models/decoders/registry.ts';
import { Detector } from '../../models/detector.ts';
import { resolveModel } from '../../models/model-catalog.ts';
import { OnnxModel } from '../../models/onnx-session.ts';
import { postprocess } from '../../models/postprocess.ts';
import type { RgbFrame } from '../../models/preprocess/frame.ts';
import { preprocessRgb } from '../../models/preprocess/tensor.ts';
import { collect, numberIn } from '../commands/model-options.ts';
import { formatTable, median, quantile } from './stats.ts';

const root = join(import.meta.dirname, '..', '..');

async function frame1080p(): Promise<RgbFrame> {
  const src = join(root, 'test-fixtures', 'coco', 'images', '000000000641.jpg');
  const { data, info } = await sharp(src).resize(1920, 1080, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

interface Row {
  model: string;
  input: string;
  preprocessMs: number;
  preprocessP95Ms: number;
  sessionRunMs: number;
  /** Bare session.run of the same file without the card's loadFixes (null when the card has none). */
  sessionRunUnfixedMs: number | null;
  decodeNmsMs: number;
  detectMs: number;
  detectOverRun: number;
  /** Median over runs of detect / session.run within the same iteration: steadier on a loaded machine. */
  detectOverRunPaired: number;
  detections: number;
}

async function benchModel(spec: string, frame: RgbFrame, runs: number, threads: number, modelDirs: string[]): Promise<Row> {
  const card = await resolveModel(spec, { modelDirs });
  const detector = await Detector.load(card, { threads });
  const bare = await OnnxModel.load(card, { threads });
  const unfixed = card.loadFixes.length ? await OnnxModel.load({ ...card, loadFixes: [] }, { threads }) : null;
  const decoder = getDecoder(card.decoder);
  try {
    const { tensor, transform } = preprocessRgb(frame, card.input);
    const outputs = await bare.run(tensor);
    for (let i = 0; i < 10; i++) {
      await bare.run(tensor);
      await detector.detect(frame);
    }
    const pre: number[] = [];
    const run: number[] = [];
    const runUnfixed: number[] = [];
    const post: number[] = [];
    const whole: number[] = [];
    const buf = new Float32Array(tensor.length);
    let detections = 0;
    // Interleaved so that load from other processes hits every measurement alike.
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      preprocessRgb(frame, card.input, buf);
      pre.push(performance.now() - t);
      t = performance.now();
      await bare.run(tensor);
      run.push(performance.now() - t);
      if (unfixed) {
        t = performance.now();
        await unfixed.run(tensor);
        runUnfixed.push(performance.now() - t);
      }
      t = performance.now();
      detections = postprocess(card, decoder, outputs, transform).length;
      post.push(performance.now() - t);
      t = performance.now();
      await detector.detect(frame);
      whole.push(performance.now() - t);
    }
    const r = (x: number): number => Number(x.toFixed(3));
    return {
      model: card.id,
      input: `${card.input.width}x${card.input.height}`,
      preprocessMs: r(median(pre)),
      preprocessP95Ms: r(quantile(pre, 0.95)),
      sessionRunMs: r(median(run)),
      sessionRunUnfixedMs: unfixed ? r(median(runUnfixed)) : null,
      decodeNmsMs: r(median(post)),
      detectMs: r(median(whole)),
      detectOverRun: r(median(whole) / median(run)),
      detectOverRunPaired: r(median(whole.map((w, i) => w / run[i]!))),
      detections,
    };
  } finally {
    await detector.close();
    await bare.close();
    await unfixed?.close();
  }
}

const program = new Command('detector-speed')
  .option('--runs <n>', 'measured runs per model', numberIn(5, 100000, '--runs'), 200)
  .option('--threads <n>', 'onnxruntime intra-op threads', numberIn(1, 64, '--threads'), 1)
  .option('--model <spec>', 'model id, card or .onnx (repeatable; default: the shipped models)', collect, [])
  .option('--model-dir <dir>', 'folder with model files for cards in models/cards', collect, [])
  .option('--out <file>', 'JSON output', join(root, 'bench-results', 'detector-speed.json'))
  .parse();
const opts = program.opts<{ runs: number; threads: number; model: string[]; modelDir: string[]; out: string }>();
const models = opts.model.length ? opts.model : ['picodet-s-416-coco', 'fastestdet-352-coco'];
const frame = await frame1080p();
const rows: Row[] = [];
for (const m of models) rows.push(await benchModel(m, frame, opts.runs, opts.threads, opts.modelDir));
process.stdout.write(
  `${formatTable(
    ['model', 'input', 'preprocess ms (p95)', 'session.run ms', 'run w/o loadFixes ms', 'decode+NMS ms', 'detect ms', 'detect / run', 'paired'],
    rows.map((r) => [
      r.model,
      r.input,
      `${r.preprocessMs} (${r.preprocessP95Ms})`,
      r.sessionRunMs,
      r.sessionRunUnfixedMs ?? '-',
      r.decodeNmsMs,
      r.detectMs,
      r.detectOverRun,
      r.detectOverRunPaired,
    ]),
  )}\n(1920x1080 raw RGB frame, median of ${opts.runs} runs, ${opts.threads} thread(s), default score threshold; paired = median of per-run detect / session.run)\n`,
);
await mkdir(dirname(opts.out), { recursive: true });
await writeFile(opts.out, `${JSON.stringify({ frame: '1920x1080', runs: opts.runs, threads: opts.threads, rows }, null, 2)}\n`);
process.stdout.write(`wrote ${opts.out}\n`);
