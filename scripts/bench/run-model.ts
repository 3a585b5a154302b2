import { performance } from 'node:perf_hooks';
import type { Detection } from '../../models/detections.ts';
import type { DetectTimings } from '../../models/detector.ts';
import type { FrameDetector } from '../../models/frame-detector.ts';
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

/** What one image gave: its detections and times, or why it failed. */
type ImageOutcome = { readonly items: readonly Detection[]; readonly decodeMs: number; readonly timingsMs: DetectTimings } | { readonly error: Error };

/**
 * Runs a loaded detector over the dataset's images and converts its detections to COCO results
 * ([x, y, w, h] in pixels). Decoding overlaps inference: up to `2 x detector.concurrency + 1`
 * images are in flight. An in-process detector gets frames read and decoded here (sharp, off the
 * event loop) while it runs the current one; a detector that offers `detectFile` (a pool) gets
 * only the paths and decodes in its processes, so no frame crosses a pipe. Results keep the image
 * order. An image that fails to decode is recorded and left out of this model's evaluation; the
 * run goes on. `onImage` is called after each image.
 */
export async function runModel(
  detector: FrameDetector,
  images: readonly DatasetImage[],
  mapping: ClassMapping,
  settings: RunSettings,
  onImage: () => void,
): Promise<ModelRun> {
  const outcomes: ImageOutcome[] = new Array(images.length);
  const options = { scoreThreshold: settings.conf, nmsThreshold: settings.nms, maxDetections: settings.maxDetections };
  const one = async (image: DatasetImage): Promise<ImageOutcome> => {
    try {
      if (detector.detectFile) {
        // A pool reads and decodes the file in its process: only the path goes out.
        const { detections, timingsMs, decodeMs } = await detector.detectFile(image.path, options);
        return { items: detections.items, decodeMs, timingsMs };
      }
      const t0 = performance.now();
      const frame = await loadImageFile(image.path);
      const decodeMs = performance.now() - t0;
      const { detections, timingsMs } = await detector.detect(frame, options);
      return { items: detections.items, decodeMs, timingsMs };
    } catch (err) {
      return { error: err as Error };
    }
  };
  const start = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < images.length; i = next++) {
      outcomes[i] = await one(images[i]!);
      onImage();
    }
  };
  await Promise.all(Array.from({ length: Math.min(images.length, 2 * detector.concurrency + 1) }, lane));
  const wallSeconds = (performance.now() - start) / 1000;

  const detections: CocoResult[] = [];
  const imageIds: number[] = [];
  const failedImages: DatasetWarning[] = [];
  const timings: RunTimings = { decode: [], preprocess: [], inference: [], postprocess: [] };
  let unmappedDetections = 0;
  images.forEach((image, i) => {
    const o = outcomes[i]!;
    if ('error' in o) {
      failedImages.push({ file: image.path, problem: `${o.error.message}; image left out of this model's evaluation` });
      return;
    }
    timings.decode.push(o.decodeMs);
    timings.preprocess.push(o.timingsMs.preprocess);
    timings.inference.push(o.timingsMs.inference);
    timings.postprocess.push(o.timingsMs.postprocess);
    imageIds.push(image.id);
    for (const d of o.items) {
      const category = mapping.modelToCategory.get(d.classId);
      if (category === undefined) {
        unmappedDetections++;
        continue;
      }
      const [x1, y1, x2, y2] = d.box;
      detections.push({ image_id: image.id, category_id: category, bbox: [x1, y1, x2 - x1, y2 - y1], score: d.score });
    }
  });
  return { detections, unmappedDetections, imageIds, failedImages, timings, wallSeconds };
}
