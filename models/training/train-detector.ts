import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { seededRandom } from '../../pipeline/patrol/simulation/random.ts';
import type { LabelledDataset } from '../evaluation/dataset-types.ts';
import { findClassNames } from '../evaluation/class-names.ts';
import { loadYoloDataset } from '../evaluation/yolo-dataset.ts';
import type { ModelCard } from '../model-card.ts';
import { adamState } from './adam.ts';
import { ClassBranchRuntime } from './class-branch-runtime.ts';
import { initClassHead, type ClassHead } from './class-head.ts';
import { loadCheckpoint, saveCheckpoint, type EpochRecord } from './checkpoint.ts';
import { findDataLicence, readDataNotices, resolveSplits } from './dataset-splits.ts';
import { exportTrainedModel, type ExportedModel } from './export-trained-model.ts';
import { cacheFeatures, cacheMosaics, cacheSyntheticSmoke, type CachedImage } from './feature-cache.ts';
import { FeatureExtractor, type FeatureTap } from './feature-extractor.ts';
import { trainEpoch } from './head-epoch.ts';
import { scoreHead, type HeadScore } from './head-evaluation.ts';
import { CheckpointError, TrainingInputError } from './training-errors.ts';
import { WeightAverage } from './weight-average.ts';

/** Settings of one training run. Defaults are what the shipped models were trained with. */
export interface TrainOptions {
  /** YOLO dataset folder (with images/train and images/val, or a folder of images and labels). */
  readonly data: string;
  /** Validation folder; default images/val of `data` when it has one. */
  readonly val?: string;
  readonly base: ModelCard;
  /** Output folder for the ONNX file, card, licence notice and checkpoint. */
  readonly out: string;
  /** Card id of the new model. */
  readonly id: string;
  /** Passes over the training images. Default 12. */
  readonly epochs?: number;
  /** Seeds initialisation, shuffling and the held-out negatives. Default 1. */
  readonly seed?: number;
  /** Continue from `out`'s checkpoint. */
  readonly resume?: boolean;
  /** Images per optimiser step. Default 8. */
  readonly batchImages?: number;
  /** Peak AdamW learning rate (cosine decay per epoch). Default 0.01. */
  readonly learningRate?: number;
  /** AdamW weight decay on weights (not biases). Default 1e-4. */
  readonly weightDecay?: number;
  /** Images without objects kept out of training for a false-alarm measurement. Default 0. */
  readonly holdOutNegatives?: number;
  /** onnxruntime threads for feature caching. Default 1 (deterministic). */
  readonly threads?: number;
  /** Use only the first N training images (tests). */
  readonly limit?: number;
  /** "linear" (default): a new 1x1 class conv on the head's features. "tuned-pointwise": also a tuned copy of the tower's last pointwise conv for the class branch. "tuned-tower": also a tuned copy of the tower's last depthwise conv before it. "tuned-full-tower": also a tuned copy of the tower's first depthwise + pointwise block before that. */
  readonly method?: TrainMethod;
  /** Learning rate of the tuned copies of shipped convs, relative to `learningRate`. Default 0.1. */
  readonly tunedRate?: number;
  /** Fraction of far-from-any-box background anchors used per step (weighted up to stay unbiased). Default 1 for linear, 0.25 for the tuned methods. */
  readonly negativeKeep?: number;
  /** Also train on a left-right mirrored copy of every training image (its features cached too: twice the caching and epoch time). Default false. */
  readonly horizontalFlip?: boolean;
  /** Mosaics per training image (four images shrunk into the quarters of one frame, see mosaic.ts), each cached as an image of its own. Default 0. */
  readonly mosaic?: number;
  /** Give each mosaic tile a random hue / saturation / brightness change (colour-jitter.ts); needs `mosaic`. Default false. */
  readonly colourJitter?: boolean;
  /** Class name to label synthetic smoke plumes with: adds one copy of every training image with 1-2 plumes (synthetic-smoke.ts). Default none. */
  readonly syntheticSmoke?: string;
  /** Decay of an exponential moving average of the head's weights (weight-average.ts), scored each epoch and exported instead of the last step's weights. Default none. */
  readonly weightAverage?: number;
}

/** The head-training methods. */
export type TrainMethod = 'linear' | 'tuned-pointwise' | 'tuned-tower' | 'tuned-full-tower';

/** What a run reports as it goes (the CLI draws it). */
export interface TrainEvents {
  stage?(name: 'cache-train' | 'cache-val' | 'train', total: number): void;
  tick?(loss?: number): void;
  epoch?(record: EpochRecord, score: HeadScore | null): void;
  resumed?(epoch: number): void;
}

/** The outcome of a run. */
export interface TrainResult {
  readonly model: ExportedModel;
  readonly history: readonly EpochRecord[];
  readonly validation: HeadScore | null;
  readonly head: ClassHead;
  readonly trainImages: number;
  readonly seconds: number;
}

const COMMON = 'quality focal loss (beta 2) on ATSS-style positives chosen by the IoU of the frozen decoded boxes';
const TUNED_TAIL = `grafted as a separate class branch; ${COMMON}, soft target = that IoU; background anchors outside every box subsampled per step and weighted up; AdamW, cosine decay`;
const FROZEN = 'frozen base (backbone, neck, class-agnostic GFL box regression)';

function describeMethod(method: TrainMethod, tunedRate: number, kernel: number): string {
  const rate = `tuned at ${tunedRate}x the rate`;
  switch (method) {
    case 'linear':
      return `linear: ${FROZEN}; features feeding the head conv cached once per image; new per-level 1x1 class conv trained with ${COMMON} (top-9 closest per level, mean + std, centre inside), soft target = that IoU; AdamW, cosine decay`;
    case 'tuned-pointwise':
      return `tuned-pointwise: ${FROZEN}; input of the tower's last pointwise conv cached once per image; per level a copy of that conv (started from its weights, ${rate}) + hard-swish + new 1x1 class conv, ${TUNED_TAIL}`;
    case 'tuned-tower':
      return `tuned-tower: ${FROZEN}; input of the tower's last depthwise ${kernel}x${kernel} conv cached once per image; per level copies of that depthwise conv + hard-swish and of the last pointwise conv + hard-swish (started from their weights, ${rate}) + new 1x1 class conv, ${TUNED_TAIL}`;
    case 'tuned-full-tower':
      return `tuned-full-tower: ${FROZEN}; the tower's input cached once per image; per level copies of the whole class tower: the first ${kernel}x${kernel} depthwise + hard-swish + pointwise + hard-swish block, then the last depthwise + hard-swish + pointwise + hard-swish (started from their weights, ${rate}), + new 1x1 class conv, ${TUNED_TAIL}`;
  }
}

const TAP: Record<TrainMethod, FeatureTap> = { linear: 'head', 'tuned-pointwise': 'pointwise', 'tuned-tower': 'depthwise', 'tuned-full-tower': 'tower' };

/** Trains a new class head on a frozen base detector and exports the grafted model. */
export async function trainDetector(options: TrainOptions, events: TrainEvents = {}): Promise<TrainResult> {
  const started = performance.now();
  const epochs = options.epochs ?? 12;
  const seed = options.seed ?? 1;
  const batchImages = options.batchImages ?? 8;
  const learningRate = options.learningRate ?? 0.01;
  const weightDecay = options.weightDecay ?? 1e-4;
  const method = options.method ?? 'linear';
  const flip = options.horizontalFlip ?? false;
  const mosaic = options.mosaic ?? 0;
  if (!(Number.isInteger(mosaic) && mosaic >= 0)) throw new TrainingInputError(`mosaic copies must be a whole number >= 0, got ${mosaic}`);
  const colourJitter = options.colourJitter ?? false;
  if (colourJitter && !mosaic) throw new TrainingInputError('colour jitter applies to the mosaic copies: give mosaic >= 1 too');
  const syntheticSmoke = options.syntheticSmoke;
  const negativeKeep = options.negativeKeep ?? (method === 'linear' ? 1 : 0.25);
  const tunedRate = options.tunedRate ?? 0.1;
  if (!(tunedRate > 0 && tunedRate <= 10)) throw new TrainingInputError(`tuned-conv rate multiplier must be in (0, 10], got ${tunedRate}`);
  if (!(negativeKeep > 0 && negativeKeep <= 1)) throw new TrainingInputError(`negative keep fraction must be in (0, 1], got ${negativeKeep}`);
  const averageDecay = options.weightAverage;
  if (averageDecay !== undefined && !(averageDecay > 0 && averageDecay < 1)) throw new TrainingInputError(`weight average decay must be in (0, 1), got ${averageDecay}`);
  const splits = resolveSplits(options.data, options.val);
  const { names, source: namesSource } = await findClassNames(splits.root).catch(() => findClassNames(splits.train));
  const trainSet = await loadYoloDataset(splits.train, { names: namesSource, ...(options.limit === undefined ? {} : { limit: options.limit }) });
  const { kept: trainImages, heldOut } = holdOutNegatives(trainSet, options.holdOutNegatives ?? 0, seed);
  if (!trainImages.images.length) throw new TrainingInputError(`no training images in ${splits.train}`);
  const valSet = splits.val ? await loadYoloDataset(splits.val, { names: namesSource }) : undefined;
  const smokeClass = syntheticSmoke === undefined ? -1 : names.indexOf(syntheticSmoke);
  if (syntheticSmoke !== undefined && smokeClass < 0) throw new TrainingInputError(`synthetic smoke class "${syntheticSmoke}" is not one of the dataset's classes (${names.join(', ')}; from ${namesSource})`);

  await mkdir(options.out, { recursive: true });
  const checkpointPath = join(options.out, 'checkpoint.json');
  const runKey = createHash('sha256')
    .update(JSON.stringify({ base: options.base.sha256, train: trainImages.images.map((i) => i.path), val: valSet?.images.map((i) => i.path) ?? null, names, seed, epochs, batchImages, learningRate, weightDecay, ...(method === 'linear' && negativeKeep === 1 ? {} : { method, negativeKeep }), ...(flip ? { flip } : {}), ...(mosaic ? { mosaic } : {}), ...(colourJitter ? { colourJitter } : {}), ...(syntheticSmoke === undefined ? {} : { syntheticSmoke }), ...(tunedRate === 0.1 ? {} : { tunedRate }), ...(averageDecay === undefined ? {} : { averageDecay }) }))
    .digest('hex');
  const extractor = await FeatureExtractor.load(options.base, options.threads ?? 1, TAP[method]);
  let runtime: ClassBranchRuntime | undefined;
  try {
    const random = seededRandom(seed);
    const pointwise = extractor.towers.map((t) => ({ weight: t.weight, bias: t.bias }));
    const depthwise = extractor.depthwise.map((d) => ({ weight: d.weight, bias: d.bias }));
    const front = extractor.front.map((b) => ({ depthwise: { weight: b.depthwise.weight, bias: b.depthwise.bias }, pointwise: { weight: b.pointwise.weight, bias: b.pointwise.bias } }));
    const head = initClassHead(extractor.levels.length, names.length, extractor.featureChannels, random, pointwise, depthwise, extractor.depthwise[0]?.kernel ?? 0, front);
    const state = adamState(head.params.length);
    let average = averageDecay === undefined ? undefined : WeightAverage.start(head.params, averageDecay);
    let history: EpochRecord[] = [];
    if (options.resume && existsSync(checkpointPath)) {
      const cp = await loadCheckpoint(checkpointPath, runKey, head.params.length);
      head.params.set(cp.params);
      state.m.set(cp.adam.m);
      state.v.set(cp.adam.v);
      state.step = cp.adam.step;
      history = cp.history;
      if (averageDecay !== undefined) {
        if (!cp.average) throw new CheckpointError(`checkpoint ${checkpointPath} holds no weight average: start without --resume`);
        average = WeightAverage.resume(cp.average, averageDecay, cp.adam.step);
      }
      events.resumed?.(cp.epoch);
    }
    events.stage?.('cache-train', trainImages.images.length * (1 + (flip ? 1 : 0) + mosaic + (smokeClass >= 0 ? 1 : 0)));
    const train = await cacheFeatures(trainImages, extractor, () => events.tick?.());
    if (flip) train.push(...(await cacheFeatures(trainImages, extractor, () => events.tick?.(), { mirror: true })));
    if (mosaic) train.push(...(await cacheMosaics(trainImages, extractor, mosaic, seed, () => events.tick?.(), { colourJitter })));
    if (smokeClass >= 0) train.push(...(await cacheSyntheticSmoke(trainImages, extractor, smokeClass, seed, () => events.tick?.())));
    let val: CachedImage[] = [];
    if (valSet) {
      events.stage?.('cache-val', valSet.images.length);
      val = await cacheFeatures(valSet, extractor, () => events.tick?.());
    }
    const cacheSeconds = (performance.now() - started) / 1000;
    // The tuned depthwise branches run in onnxruntime (class-branch-runtime.ts); the others in JavaScript.
    runtime = ClassBranchRuntime.supports(head) ? await ClassBranchRuntime.open(head, extractor.grid) : undefined;
    const scoreTrained = async (): Promise<HeadScore | null> => (valSet && val.length ? scoreHead(head, extractor.grid, val, valSet.groundTruth, { nmsThreshold: options.base.thresholds.nms, maxDetections: options.base.thresholds.maxDetections }, runtime) : null);
    // With a weight average, what is scored (and exported) is the average.
    const score = (): Promise<HeadScore | null> => (average ? average.applied(head.params, scoreTrained) : scoreTrained());
    let last: HeadScore | null = null;
    for (let epoch = history.length + 1; epoch <= epochs; epoch++) {
      const t0 = performance.now();
      const lr = learningRate * 0.5 * (1 + Math.cos((Math.PI * (epoch - 1)) / epochs));
      events.stage?.('train', Math.ceil(train.length / batchImages));
      const order = shuffled(train.length, seededRandom(seed * 1000003 + epoch));
      const result = await trainEpoch(head, extractor.grid, train, order, state, { learningRate: lr, weightDecay, batchImages, tunedRate, ...(negativeKeep < 1 ? { sampling: { keep: negativeKeep, random: seededRandom(seed * 7919 + epoch) } } : {}), ...(runtime ? { runtime } : {}), ...(average ? { average } : {}) }, (_d, _t, loss) => events.tick?.(loss));
      last = await score();
      const record: EpochRecord = { epoch, loss: result.meanLoss, learningRate: lr, valAp50: last?.ap50 ?? null, valMap: last?.map ?? null, seconds: (performance.now() - t0) / 1000 };
      history.push(record);
      await saveCheckpoint(checkpointPath, { version: 1, runKey, epoch, params: Array.from(head.params), adam: { step: state.step, m: Array.from(state.m), v: Array.from(state.v) }, history, ...(average ? { average: Array.from(average.values) } : {}) });
      events.epoch?.(record, last);
    }
    if (average) head.params.set(average.values);
    last ??= await score();
    const seconds = (performance.now() - started) / 1000;
    if (heldOut.length) await writeFile(join(options.out, `${options.id}.held-out-negatives.txt`), `${heldOut.join('\n')}\n`);
    const model = await exportTrainedModel(options.out, options.base, extractor, head, {
      id: options.id,
      name: `${options.base.name.replace(/\s*\(.*\)$/, '')} + trained head (${names.join(', ')})`,
      labels: names,
      // QFL scores estimate box IoU, so they run lower than a COCO model's: operate at the
      // validation's best-F1 threshold rather than the base model's.
      ...(last?.bestF1 ? { scoreThreshold: Math.round(last.bestF1.threshold * 100) / 100 } : {}),
      dataNotice: readDataNotices(splits.root),
      training: {
        method: [describeMethod(method, tunedRate, head.kernel), ...describeAugmentation(flip, mosaic, colourJitter, syntheticSmoke), ...(averageDecay === undefined ? [] : [`exported weights: the exponential moving average of every step's (decay ${averageDecay}, ramped from 0 as (1 + t) / (10 + t))`])].join('; '),
        base: { id: options.base.id, sha256: options.base.sha256 },
        data: options.data,
        images: trainImages.images.length,
        heldOutNegatives: heldOut.length,
        dataLicence: findDataLicence(splits.root) ?? 'not stated in the data folder: add its licence before sharing this model',
        epochs,
        seed,
        // Epochs run before a resume count with their recorded time; the cache is rebuilt each run.
        trainSeconds: Math.round(cacheSeconds + history.reduce((n, h) => n + h.seconds, 0)),
        ...(last && splits.val ? { validation: { data: splits.val, images: val.length, map: last.map, ap50: last.ap50, perClass: [...last.perClass], bestF1: last.bestF1 } } : {}),
      },
    });
    return { model, history, validation: last, head, trainImages: trainImages.images.length, seconds };
  } finally {
    await runtime?.close();
    await extractor.close();
  }
}

/** The card's words for the extra training copies (flip, mosaics, colour jitter, synthetic smoke), one phrase each. */
function describeAugmentation(flip: boolean, mosaic: number, colourJitter: boolean, syntheticSmoke: string | undefined): string[] {
  return [
    ...(flip ? ['every training image also mirrored left to right (horizontal-flip copies cached as images of their own)'] : []),
    ...(mosaic ? [`${mosaic} mosaic${mosaic > 1 ? 's' : ''} per training image (it and 3 other training images drawn with the seed, each fitted into a quarter of one frame split at a random centre, letterboxed on black, mirrored at random${colourJitter ? ', each tile with a random hue (+-30 degrees), saturation and brightness change' : ''}; cached as images of their own)`] : []),
    ...(syntheticSmoke === undefined ? [] : [`one copy of every training image with 1-2 synthetic smoke plumes labelled ${syntheticSmoke} (fractal-noise clouds in a soft ellipse, light or dark grey, alpha-blended clear of the labelled boxes; cached as images of their own)`]),
  ];
}

/** Fisher-Yates shuffle of 0..n-1 with a seeded source. */
export function shuffled(n: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Keeps `count` images without objects (chosen with the seed) out of the training set. */
function holdOutNegatives(dataset: LabelledDataset, count: number, seed: number): { kept: LabelledDataset; heldOut: string[] } {
  if (count <= 0) return { kept: dataset, heldOut: [] };
  const withObjects = new Set(dataset.groundTruth.annotations.map((a) => a.image_id));
  const negatives = dataset.images.filter((i) => !withObjects.has(i.id));
  if (negatives.length < count) throw new TrainingInputError(`cannot hold out ${count} negatives: ${dataset.source} has ${negatives.length} images without objects`);
  const order = shuffled(negatives.length, seededRandom(seed ^ 0x5eed));
  const out = new Set(order.slice(0, count).map((i) => negatives[i]!.id));
  const heldOut = dataset.images.filter((i) => out.has(i.id)).map((i) => i.path);
  return { kept: { ...dataset, images: dataset.images.filter((i) => !out.has(i.id)) }, heldOut };
}
