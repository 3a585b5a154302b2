import { basename } from 'node:path';
import { ModelError } from '../../models/errors.ts';
import { resolveModel } from '../../models/model-catalog.ts';
import { trainDetector, type TrainMethod } from '../../models/training/train-detector.ts';
import { type Command, InvalidArgumentError } from 'commander';
import { addModelOptions, numberIn } from './model-options.ts';
import { stderrTrainEvents } from './train-progress.ts';

/** Flags of `gridworker train` as commander hands them over. */
export interface TrainFlags {
  data: string;
  base: string;
  out: string;
  id?: string;
  val?: string;
  epochs: number;
  seed: number;
  resume?: boolean;
  batch: number;
  lr: number;
  holdOutNegatives: number;
  limit?: number;
  method: string;
  negativeKeep?: number;
  tunedRate?: number;
  flip?: boolean;
  mosaic: number;
  colourJitter?: boolean;
  syntheticSmoke?: string;
  ema?: number;
  modelDir: string[];
  threads: number;
}

const int = (min: number, what: string) => (v: string): number => Math.floor(numberIn(min, Number.MAX_SAFE_INTEGER, what)(v));

const METHODS: readonly string[] = ['linear', 'tuned-pointwise', 'tuned-tower', 'tuned-full-tower'];
function method(value: string): string {
  if (!METHODS.includes(value)) throw new InvalidArgumentError(`--method must be one of ${METHODS.join(', ')}, got "${value}"`);
  return value;
}

/** Runs `train`; resolves to the exit code: 0 done, 2 the data, base model, checkpoint or options cannot be used. */
export async function runTrainCommand(flags: TrainFlags): Promise<number> {
  const events = stderrTrainEvents(flags.epochs);
  try {
    const base = await resolveModel(flags.base, { modelDirs: flags.modelDir });
    const id = flags.id ?? basename(flags.out).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '');
    const result = await trainDetector(
      {
        data: flags.data, base, out: flags.out, id, epochs: flags.epochs, seed: flags.seed, resume: flags.resume ?? false,
        batchImages: flags.batch, learningRate: flags.lr, holdOutNegatives: flags.holdOutNegatives, threads: flags.threads,
        ...(flags.val === undefined ? {} : { val: flags.val }),
        ...(flags.limit === undefined ? {} : { limit: flags.limit }),
        ...(flags.negativeKeep === undefined ? {} : { negativeKeep: flags.negativeKeep }),
        ...(flags.tunedRate === undefined ? {} : { tunedRate: flags.tunedRate }),
        method: flags.method as TrainMethod,
        horizontalFlip: flags.flip ?? false,
        mosaic: flags.mosaic,
        colourJitter: flags.colourJitter ?? false,
        ...(flags.syntheticSmoke === undefined ? {} : { syntheticSmoke: flags.syntheticSmoke }),
        ...(flags.ema === undefined ? {} : { weightAverage: flags.ema }),
      },
      events,
    );
    events.stop();
    const v = result.validation;
    process.stdout.write(
      `trained ${result.model.card.id} on ${result.trainImages} images in ${result.seconds.toFixed(0)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB\n` +
        (v ? `validation: AP50 ${v.ap50.toFixed(3)}, mAP@0.5:0.95 ${v.map.toFixed(3)}; ${v.perClass.map((c) => `${c.name} AP50 ${c.ap50.toFixed(3)}`).join(', ')}\n` : 'no validation images\n') +
        `model: ${result.model.onnxPath}\ncard:  ${result.model.cardPath}\n`,
    );
    return 0;
  } catch (err) {
    events.stop();
    if (!(err instanceof ModelError)) throw err;
    process.stderr.write(`gridworker train: ${err.message}\n`);
    return 2;
  }
}

/** `gridworker train --data <yolo dir> --base <card id> --out <dir>`. */
export function registerTrain(program: Command): void {
  addModelOptions(
    program
      .command('train')
      .description('teach a detector new classes on the CPU: freeze a GFL base model, train a new class head on cached features, export ONNX + card')
      .requiredOption('--data <dir>', 'YOLO dataset folder (images/train + images/val, or images and labels folders); class names from data.yaml')
      .requiredOption('--base <card|id>', 'base model to freeze (a GFL / PicoDet card), e.g. picodet-s-416-coco')
      .requiredOption('--out <dir>', 'output folder: <id>.onnx, <id>.json card, licenses/, checkpoint.json')
      .option('--id <id>', 'card id of the new model (default: the --out folder name)')
      .option('--val <dir>', 'validation images (default: images/val of --data when present)')
      .option('--epochs <n>', 'passes over the training images', int(1, '--epochs'), 12)
      .option('--seed <n>', 'seed for initialisation, shuffling and held-out negatives', int(0, '--seed'), 1)
      .option('--resume', 'continue from the checkpoint in --out')
      .option('--batch <n>', 'images per optimiser step', int(1, '--batch'), 8)
      .option('--lr <rate>', 'peak AdamW learning rate', numberIn(1e-6, 1, '--lr'), 0.01)
      .option('--hold-out-negatives <n>', 'keep N images without objects out of training (listed beside the card) for a false-alarm test', int(0, '--hold-out-negatives'), 0)
      .option('--limit <n>', 'use only the first N training images', int(1, '--limit'))
      .option('--method <m>', 'linear: new 1x1 class conv on the frozen head features; tuned-pointwise: also a tuned copy of the tower\'s last pointwise conv; tuned-tower: also of its last depthwise conv; tuned-full-tower: also of the tower\'s first depthwise + pointwise block', method, 'linear')
      .option('--flip', 'also train on a left-right mirrored copy of every training image (twice the caching and epoch time)')
      .option('--mosaic <n>', 'also train on N mosaics per training image: it and 3 other training images shrunk into the quarters of one frame (objects at 0.3-0.7 of their size; each adds one caching and epoch pass)', int(0, '--mosaic'), 0)
      .option('--colour-jitter', 'give each mosaic tile a random hue (+-30 degrees), saturation (x0.5-2) and brightness (x0.77-1.3) change (needs --mosaic)')
      .option('--synthetic-smoke <class>', 'also train on a copy of every training image with 1-2 synthetic smoke plumes (fractal-noise clouds, light or dark grey) labelled <class>, a class of the dataset (adds one caching and epoch pass)')
      .option('--ema <decay>', 'score each epoch and export an exponential moving average of the weights after every step, with this decay (e.g. 0.999), instead of the last step\'s weights', numberIn(0.5, 0.99999, '--ema'))
      .option('--negative-keep <f>', 'fraction of background anchors away from every box used per step (default 1 linear, 0.25 tuned methods)', numberIn(0.01, 1, '--negative-keep'))
      .option('--tuned-rate <x>', 'learning rate of the tuned copies of shipped convs, relative to --lr (default 0.1)', numberIn(0.001, 10, '--tuned-rate')),
  ).action(async (flags: TrainFlags) => {
    process.exitCode = await runTrainCommand(flags);
  });
}
