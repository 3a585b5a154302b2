import { performance } from 'node:perf_hooks';
import { type ClassMap, loadClassMap, mapClasses } from '../../models/evaluation/class-mapping.ts';
import { ClassMappingError } from '../../models/evaluation/dataset-errors.ts';
import type { LabelledDataset } from '../../models/evaluation/dataset-types.ts';
import { loadDataset } from '../../models/evaluation/load-dataset.ts';
import { resolveModel } from '../../models/model-catalog.ts';
import { type ModelBenchSettings, type PreparedModel, benchModel } from './bench-model.ts';
import type { BenchReport, ModelReport } from './bench-types.ts';
import { type ProgressFactory, silentProgress } from './progress.ts';

/** What `gridworker bench` was asked to do. */
export interface BenchOptions extends ModelBenchSettings {
  /** A YOLO dataset folder or a COCO instances .json. */
  readonly data: string;
  /** YOLO: names file or data.yaml. */
  readonly names?: string;
  /** COCO: images folder. */
  readonly images?: string;
  /** Only the first N images. */
  readonly limit?: number;
  /** Card ids, card .json files or .onnx files, in the order they are run and shown. */
  readonly models: readonly string[];
  readonly modelDirs: readonly string[];
  /** Class-map JSON file ({"dataset name": "model label" | [...] | null}). */
  readonly classMap?: string;
  /** Evaluate a model on the dataset classes it has even without a class map. */
  readonly allowPartial?: boolean;
}

async function prepareModels(options: BenchOptions, dataset: LabelledDataset): Promise<PreparedModel[]> {
  const classMap: ClassMap = options.classMap ? await loadClassMap(options.classMap) : {};
  const prepared: PreparedModel[] = [];
  for (const spec of options.models) {
    const t0 = performance.now();
    const card = await resolveModel(spec, { modelDirs: options.modelDirs });
    const resolveMs = performance.now() - t0;
    if (prepared.some((p) => p.card.id === card.id)) throw new ClassMappingError(`model ${card.id} is given twice`);
    const mapping = mapClasses(dataset.groundTruth.categories, card.labels, classMap);
    if (mapping.status === 'partial' && !options.classMap && !options.allowPartial) {
      throw new ClassMappingError(
        `model ${card.id} has no class for the dataset's ${mapping.unmapped.join(', ')} (it has ${mapping.mapped.length} of the ${dataset.groundTruth.categories.length} dataset classes): ` +
          'give --class-map <file.json> ({"dataset name": "model label" or null}), or --allow-partial to evaluate only the classes it has',
      );
    }
    prepared.push({ card, resolveMs, mapping });
  }
  return prepared;
}

function notesFor(options: BenchOptions, dataset: LabelledDataset, models: readonly PreparedModel[]): string[] {
  const notes = [
    'COCO statistics are computed as pycocotools COCOeval (iouType bbox) computes them: 100 detections per image, area ranges small < 32², medium < 96², large.',
    `Operating point: detections scoring at least the card's threshold, matched to ground truth at IoU >= ${options.operatingIou} greedily by score per image and class (as COCOeval matches), crowd regions ignored, all classes pooled.`,
    `Threshold for target precision: the lowest score threshold at which pooled precision (IoU >= ${options.operatingIou}) is at least ${options.targetPrecision}; "not reachable" when none is.`,
    `Speed: ${options.threads === 1 ? 'the detector in the benchmark process' : `${options.threads} detector processes`}, each one image at a time on one onnxruntime thread, with the next images read and decoded meanwhile. Decode (reading and decoding the file) is not part of the detector's time but is part of images/s.`,
    'Peak RSS is the process-wide high-water mark after each model ran: it includes the dataset and the models run before it in the same command.',
    'Precision-recall curves: precision at 101 recall points as COCOeval accumulates it (area all, 100 detections), averaged over classes with ground truth.',
  ];
  if (dataset.format === 'yolo') {
    notes.push('YOLO labels have no masks: object areas are box areas, so small / medium / large differ from COCO files that use mask areas.');
  }
  const above = models.filter((m) => m.card.thresholds.score < options.conf).map((m) => m.card.id);
  if (above.length) notes.push(`--conf ${options.conf} is above the operating threshold of ${above.join(', ')}: their operating points miss detections below --conf.`);
  return notes;
}

/**
 * Benchmarks models on a labelled dataset: checks every model's classes against the dataset
 * first (a partial mismatch without a class map is an error before anything runs), then runs the
 * models one after the other and measures accuracy and speed.
 * @throws DatasetError, ClassMappingError, ModelError subclasses (unknown or broken model).
 */
export async function runBench(options: BenchOptions, progress: ProgressFactory = silentProgress): Promise<BenchReport> {
  const dataset = await loadDataset(options.data, options);
  const prepared = await prepareModels(options, dataset);
  const models: ModelReport[] = [];
  for (const model of prepared) {
    const bar = progress(model.card.id, dataset.images.length);
    try {
      models.push(await benchModel(model, dataset, options, bar));
    } finally {
      bar.stop();
    }
  }
  return {
    tool: 'gridworker bench',
    createdAt: new Date().toISOString(),
    dataset: {
      source: dataset.source,
      format: dataset.format,
      namesSource: dataset.namesSource,
      classes: dataset.groundTruth.categories.map((c) => c.name),
      imagesFound: dataset.imagesFound,
      images: dataset.images.length,
      annotations: dataset.groundTruth.annotations.length,
      imagesWithoutLabels: dataset.imagesWithoutLabels,
      skippedImages: dataset.skippedImages,
      skippedLabelLines: dataset.skippedLabelLines,
      warnings: dataset.warnings,
    },
    settings: {
      conf: options.conf,
      nms: options.nms,
      maxDetections: options.maxDetections,
      targetPrecision: options.targetPrecision,
      operatingIou: options.operatingIou,
      threads: options.threads,
      limit: options.limit ?? null,
    },
    models,
    notes: notesFor(options, dataset, prepared),
  };
}
