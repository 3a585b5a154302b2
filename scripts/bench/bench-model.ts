import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { Detector } from '../../models/detector.ts';
import { DetectorPool } from '../../models/detector-pool.ts';
import type { FrameDetector } from '../../models/frame-detector.ts';
import type { ClassMapping } from '../../models/evaluation/class-mapping.ts';
import type { LabelledDataset } from '../../models/evaluation/dataset-types.ts';
import type { ModelCard } from '../../models/model-card.ts';
import type { ModelReport, SpeedReport, TimeSummary } from './bench-types.ts';
import type { Progress } from './progress.ts';
import { type AccuracySettings, measureAccuracy } from './model-accuracy.ts';
import { type ModelRun, type RunSettings, runModel } from './run-model.ts';
import { median, quantile } from './stats.ts';

/** A model ready to be benchmarked: its resolved card, how long resolving took, and its class mapping. */
export interface PreparedModel {
  readonly card: ModelCard;
  readonly resolveMs: number;
  readonly mapping: ClassMapping;
}

/** Everything one model's benchmark needs besides the model. */
export interface ModelBenchSettings extends RunSettings, Omit<AccuracySettings, 'operatingThreshold'> {
  readonly threads: number;
}

const MiB = 1024 * 1024;
const summary = (xs: readonly number[]): TimeSummary => ({ median: median(xs), p95: quantile(xs, 0.95) });

function speedOf(run: ModelRun, loadMs: number, rssBefore: number): SpeedReport {
  const t = run.timings;
  const detect = t.preprocess.map((p, i) => p + t.inference[i]! + t.postprocess[i]!);
  return {
    loadMs,
    images: run.imageIds.length,
    wallSeconds: run.wallSeconds,
    imagesPerSecond: run.wallSeconds > 0 ? run.imageIds.length / run.wallSeconds : 0,
    decodeMs: summary(t.decode),
    preprocessMs: summary(t.preprocess),
    inferenceMs: summary(t.inference),
    postprocessMs: summary(t.postprocess),
    detectMs: summary(detect),
    // maxRSS is in KiB on Linux and macOS.
    peakRssMiB: (process.resourceUsage().maxRSS * 1024) / MiB,
    rssGrowthMiB: (process.memoryUsage().rss - rssBefore) / MiB,
  };
}

function noticeFor(card: ModelCard, mapping: ClassMapping): string | null {
  if (mapping.status !== 'none') return null;
  return `model ${card.id} has no classes for this dataset's ${mapping.unmapped.join(', ')}: accuracy not measured (speed only)`;
}

/** Loads one model, runs it over the dataset, measures its accuracy (when it has the dataset's classes) and speed. */
export async function benchModel(
  model: PreparedModel,
  dataset: LabelledDataset,
  settings: ModelBenchSettings,
  progress: Pick<Progress, 'tick' | 'imagesStart' | 'imagesEnd'>,
): Promise<ModelReport> {
  const { card, mapping } = model;
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  // One thread: the detector in this process (decoding still overlaps it). More: that many
  // detector processes, one image each at a time, decoding overlapped.
  const detector: FrameDetector = settings.threads > 1 ? await DetectorPool.load(card, { processes: settings.threads }) : await Detector.load(card, { threads: 1 });
  const loadMs = model.resolveMs + performance.now() - t0;
  let run: ModelRun;
  try {
    progress.imagesStart?.();
    run = await runModel(detector, dataset.images, mapping, settings, () => progress.tick());
    progress.imagesEnd?.();
  } finally {
    await detector.close();
  }
  const speed = speedOf(run, loadMs, rssBefore);
  const accuracy =
    mapping.status === 'none'
      ? null
      : measureAccuracy(dataset.groundTruth, run, mapping, { ...settings, operatingThreshold: card.thresholds.score });
  return {
    id: card.id,
    name: card.name,
    version: card.version,
    decoder: card.decoder,
    input: `${card.input.width}x${card.input.height}`,
    modelPath: card.modelPath,
    sizeBytes: (await stat(card.modelPath)).size,
    sha256: card.sha256,
    operatingThreshold: card.thresholds.score,
    classMapping: {
      status: mapping.status,
      mapped: mapping.mapped.map((m) => ({ dataset: m.datasetName, model: m.modelLabels })),
      unmapped: mapping.unmapped,
    },
    accuracy,
    notice: noticeFor(card, mapping),
    speed,
    failedImages: run.failedImages,
    charts: [],
  };
}
