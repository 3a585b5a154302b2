import { performance } from 'node:perf_hooks';
import type { Detector } from '../../models/detector.ts';
import type { ClassMapping } from '../../models/evaluation/class-mapping.ts';
import type { CocoResult } from '../../models/evaluation/coco-types.ts';
import type { DatasetImage, DatasetWarning } from '../../models/evaluation/dataset-types.ts';
import { loadImageFile } from '../../models/preprocess/image-file.ts';

/** Detector settings used for every image of a benchmark run. */
export interface RunSettings {
  /** Minimum score kept (low, so the whole precision-recall curve is seen). */
  readonly conf: number;
  /** Class-wise NMS IoU threshold. */
  readonly nms: number;
  readonly maxDetections: number;
}

/** Per-image times of one run, in ms, in image order. */
export interface RunTimings {
  readonly decode: number[];
  readonly preprocess: number[];
  readonly inference: number[];
  readonly postprocess: number[];
}

/** What running one model over the dataset produced. */
export interface ModelRun {
  /** Detections of mapped classes, as COCO results (category ids of the dataset). */
  readonly detections: CocoResult[];
  /** Detections of model classes that stand for no dataset class. */
  readonly unmappedDetections: number;
  /** Images the model ran on. */
  readonly imageIds: number[];
  readonly failedImages: DatasetWarning[];
  readonly timings: RunTimings;
  /** Decode + detect of all images, in seconds. */
  readonly wallSeconds: number;
}

/**
 * Runs a loaded detector over the dataset's images one at a time and converts its detections to
 * COCO results ([x, y, w, h] in pixels). An image that fails to decode is recorded and left out
 * of this model's evaluation; the run goes on. `onImage` is called after each image.
 */
export async function runModel(
  detector: Detector,
  images: readonly DatasetImage[],
  mapping: ClassMapping,
  settings: RunSettings,
  onImage: () => void,
): Promise<ModelRun> {
  const detections: CocoResult[] = [];
  const imageIds: number[] = [];
  const failedImages: DatasetWarning[] = [];
  const timings: RunTimings = { decode: [], preprocess: [], inference: [], postprocess: [] };
  let unmappedDetections = 0;
  const start = performance.now();
  for (const image of images) {
    const t0 = performance.now();
    try {
      const frame = await loadImageFile(image.path);
      const t1 = performance.now();
      const { detections: found, timingsMs } = await detector.detect(frame, {
        scoreThreshold: settings.conf,
        nmsThreshold: settings.nms,
        maxDetections: settings.maxDetections,
      });
      timings.decode.push(t1 - t0);
      timings.preprocess.push(timingsMs.preprocess);
      timings.inference.push(timingsMs.inference);
      timings.postprocess.push(timingsMs.postprocess);
      imageIds.push(image.id);
      for (const d of found.items) {
        const category = mapping.modelToCategory.get(d.classId);
        if (category === undefined) {
          unmappedDetections++;
          continue;
        }
        const [x1, y1, x2, y2] = d.box;
        detections.push({ image_id: image.id, category_id: category, bbox: [x1, y1, x2 - x1, y2 - y1], score: d.score });
      }
    } catch (err) {
      failedImages.push({ file: image.path, problem: `${(err as Error).message}; image left out of this model's evaluation` });
    }
    onImage();
  }
  return { detections, unmappedDetections, imageIds, failedImages, timings, wallSeconds: (performance.now() - start) / 1000 };
}
