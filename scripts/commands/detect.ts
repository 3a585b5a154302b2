import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Command } from 'commander';
import { annotateJpeg } from '../../models/annotate.ts';
import { Detector } from '../../models/detector.ts';
import type { Detection } from '../../models/detections.ts';
import { resolveModel } from '../../models/model-catalog.ts';
import { loadImageFile } from '../../models/preprocess/image-file.ts';
import { addModelOptions, numberIn } from './model-options.ts';

interface DetectFlags {
  model?: string;
  modelDir: string[];
  threads: number;
  conf?: number;
  json?: boolean;
  out?: string;
}

/** One image's result in `detect --json` output. */
export interface DetectJson {
  image: string;
  width: number;
  height: number;
  model: string;
  detections: { label: string; classId: number; score: number; box: [number, number, number, number] }[];
  timingsMs: { preprocess: number; inference: number; postprocess: number };
}

const round = (n: number, digits: number): number => Number(n.toFixed(digits));

function toJson(image: string, width: number, height: number, model: string, items: readonly Detection[], timingsMs: DetectJson['timingsMs']): DetectJson {
  return {
    image,
    width,
    height,
    model,
    detections: items.map((d) => ({
      label: d.label,
      classId: d.classId,
      score: round(d.score, 4),
      box: d.box.map((v) => round(v, 1)) as [number, number, number, number],
    })),
    timingsMs: { preprocess: round(timingsMs.preprocess, 2), inference: round(timingsMs.inference, 2), postprocess: round(timingsMs.postprocess, 2) },
  };
}

function printText(r: DetectJson): void {
  const t = r.timingsMs;
  process.stdout.write(
    `${r.image}  ${r.width}x${r.height}  ${r.detections.length} detections  (preprocess ${t.preprocess} ms, inference ${t.inference} ms, postprocess ${t.postprocess} ms)\n`,
  );
  for (const d of r.detections) {
    process.stdout.write(`  ${d.label.padEnd(16)} ${d.score.toFixed(2)}  [${d.box.map((v) => Math.round(v)).join(', ')}]\n`);
  }
}

/** Runs `detect`; resolves to the exit code (0 all good, 1 some image failed, 2 the model failed). */
export async function runDetect(images: readonly string[], flags: DetectFlags): Promise<number> {
  let detector: Detector;
  try {
    const card = await resolveModel(flags.model, { modelDirs: flags.modelDir });
    detector = await Detector.load(card, { threads: flags.threads });
  } catch (err) {
    process.stderr.write(`gridworker detect: ${(err as Error).message}\n`);
    return 2;
  }
  let failed = 0;
  const results: DetectJson[] = [];
  try {
    if (flags.out) await mkdir(flags.out, { recursive: true });
    for (const image of images) {
      try {
        const frame = await loadImageFile(image);
        const { detections, timingsMs } = await detector.detect(frame, flags.conf === undefined ? {} : { scoreThreshold: flags.conf });
        const r = toJson(image, frame.width, frame.height, detector.card.id, detections.items, timingsMs);
        if (flags.json) results.push(r);
        else printText(r);
        if (flags.out) {
          const target = join(flags.out, `${basename(image, extname(image))}.det.jpg`);
          await writeFile(target, await annotateJpeg(frame, detections.items));
          if (!flags.json) process.stdout.write(`  annotated: ${target}\n`);
        }
      } catch (err) {
        failed++;
        process.stderr.write(`gridworker detect: ${image}: ${(err as Error).message}\n`);
      }
    }
  } finally {
    await detector.close();
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  return failed ? 1 : 0;
}

/** `gridworker detect <image...>`. */
export function registerDetect(program: Command): void {
  addModelOptions(
    program
      .command('detect')
      .description('run a detector on image files (JPEG/PNG) and print what it finds')
      .argument('<image...>', 'image files')
      .option('--model <card|id|onnx>', 'model card .json, card id or .onnx file (default: picodet-s-416-coco)')
      .option('--conf <score>', 'minimum score 0-1 (default: the card\'s)', numberIn(0, 1, '--conf'))
      .option('--json', 'print one JSON document instead of text')
      .option('--out <dir>', 'write annotated JPEGs (<name>.det.jpg) into this folder'),
  ).action(async (images: string[], flags: DetectFlags) => {
    process.exitCode = await runDetect(images, flags);
  });
}
