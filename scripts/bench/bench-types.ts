/**
 * The shape of `report.json` written by `gridworker bench` (and printed by `bench --json`).
 * Times are milliseconds, sizes bytes or MiB as named, scores and metrics 0-1.
 */
import type { DatasetWarning } from '../../models/evaluation/dataset-types.ts';
import type { PrPoint } from '../../models/evaluation/operating-point.ts';
import type { PrCurve } from '../../models/evaluation/pr-curves.ts';

/** Median and 95th percentile of one per-image time, in ms. */
export interface TimeSummary {
  readonly median: number;
  readonly p95: number;
}

/** How fast a model ran and what it cost. */
export interface SpeedReport {
  /** Resolving the card, reading and verifying the file, creating the onnxruntime session (ms). */
  readonly loadMs: number;
  /** Images run (decode failures excluded). */
  readonly images: number;
  /** Whole loop: decode + detect of every image (s). */
  readonly wallSeconds: number;
  /** images / wallSeconds, decoding included. */
  readonly imagesPerSecond: number;
  /** Decoding the image file to RGB (not part of the detector's own time). */
  readonly decodeMs: TimeSummary;
  readonly preprocessMs: TimeSummary;
  readonly inferenceMs: TimeSummary;
  readonly postprocessMs: TimeSummary;
  /** preprocess + inference + postprocess of each image. */
  readonly detectMs: TimeSummary;
  /** The process's peak resident set after this model ran (MiB); process-wide, so it includes earlier models. */
  readonly peakRssMiB: number;
  /** Resident set growth from before loading to after running this model (MiB). */
  readonly rssGrowthMiB: number;
}

/** Per-class summary, as `gridworker eval --json` prints it. */
export interface ClassReport {
  readonly categoryId: number;
  readonly name: string;
  /** -1 when the class has no ground truth on the evaluated images. */
  readonly ap: number;
  readonly ap50: number;
  readonly gtCount: number;
  readonly dtCount: number;
}

/** Accuracy of one model on the dataset's mapped classes. */
export interface AccuracyReport {
  /** The twelve COCOeval statistics (AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl). */
  readonly stats: readonly number[];
  readonly statNames: readonly string[];
  readonly perClass: readonly ClassReport[];
  /** Images evaluated: dataset images the model could run on. */
  readonly images: number;
  /** Detections on mapped classes, evaluated. */
  readonly detections: number;
  /** Detections of model classes that stand for no dataset class (not evaluated). */
  readonly unmappedDetections: number;
  /** At the card's score threshold (the one the pipeline dispatches at); IoU 0.5, all classes pooled. */
  readonly operatingPoint: PrPoint;
  /** The lowest threshold reaching the target precision, or null when none does. */
  readonly targetPrecision: { readonly target: number; readonly point: PrPoint | null };
  /** The threshold with the best F1, or null. */
  readonly bestF1: PrPoint | null;
  readonly curves: { readonly overall: PrCurve; readonly classes: readonly PrCurve[] };
  /** The pooled IoU-0.5 curve (recall, precision) thinned for plotting, highest threshold first. */
  readonly pooledCurve: readonly (readonly [recall: number, precision: number])[];
}

/** One model's section of the report. */
export interface ModelReport {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly decoder: string;
  readonly input: string;
  readonly modelPath: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  /** The card's score threshold. */
  readonly operatingThreshold: number;
  readonly classMapping: {
    readonly status: 'full' | 'partial' | 'none';
    readonly mapped: readonly { readonly dataset: string; readonly model: readonly string[] }[];
    readonly unmapped: readonly string[];
  };
  /** null when no dataset class maps onto the model: see `notice`. */
  readonly accuracy: AccuracyReport | null;
  /** Why accuracy was not measured, in words a person reads. */
  readonly notice: string | null;
  readonly speed: SpeedReport;
  /** Images the model could not run on (decode failures), with the reason. */
  readonly failedImages: readonly DatasetWarning[];
  /** PNG file names of its precision-recall charts, relative to the report (set when written). */
  readonly charts: readonly string[];
}

/** The whole `report.json`. */
export interface BenchReport {
  readonly tool: 'gridworker bench';
  readonly createdAt: string;
  readonly dataset: {
    readonly source: string;
    readonly format: 'yolo' | 'coco';
    readonly namesSource: string;
    readonly classes: readonly string[];
    readonly imagesFound: number;
    readonly images: number;
    readonly annotations: number;
    readonly imagesWithoutLabels: number;
    readonly skippedImages: number;
    readonly skippedLabelLines: number;
    readonly warnings: readonly DatasetWarning[];
  };
  readonly settings: {
    readonly conf: number;
    readonly nms: number;
    readonly maxDetections: number;
    readonly targetPrecision: number;
    readonly operatingIou: number;
    readonly threads: number;
    readonly limit: number | null;
  };
  readonly models: readonly ModelReport[];
  /** How to read the numbers (what is measured how). */
  readonly notes: readonly string[];
}
