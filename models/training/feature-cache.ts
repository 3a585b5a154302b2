import type { LabelledDataset } from '../evaluation/dataset-types.ts';
import { loadImageFile } from '../preprocess/image-file.ts';
import type { InputTransform } from '../preprocess/transform.ts';
import { assignTargets, type AssignedTargets, type TargetBox } from './assign-targets.ts';
import type { FeatureExtractor } from './feature-extractor.ts';
import { mirrorBox, mirrorFrame } from './mirror.ts';

/** One image as training sees it: the frozen network's features and boxes, and its assigned targets. */
export interface CachedImage {
  /** Image id in the dataset's ground truth. */
  readonly imageId: number;
  readonly path: string;
  readonly features: Float32Array;
  readonly boxes: Float32Array;
  readonly transform: InputTransform;
  readonly targets: AssignedTargets;
  /** Ground-truth boxes (input pixels) the targets came from. */
  readonly gtCount: number;
  /** 1 for anchors whose centre lies inside a labelled box (never subsampled away as background). */
  readonly inBox: Uint8Array;
}

/**
 * Runs the frozen network over every image once and keeps what the head needs. `onImage` is
 * called after each. With `mirror` every image (and its boxes) is flipped left to right first.
 */
export async function cacheFeatures(dataset: LabelledDataset, extractor: FeatureExtractor, onImage: () => void = () => {}, options: { readonly mirror?: boolean } = {}): Promise<CachedImage[]> {
  const byImage = new Map<number, { bbox: readonly number[]; classId: number }[]>();
  for (const a of dataset.groundTruth.annotations) {
    const list = byImage.get(a.image_id) ?? [];
    list.push({ bbox: a.bbox, classId: a.category_id });
    byImage.set(a.image_id, list);
  }
  const out: CachedImage[] = [];
  for (const image of dataset.images) {
    const loaded = await loadImageFile(image.path);
    const frame = options.mirror ? mirrorFrame(loaded) : loaded;
    const { features, boxes, transform } = await extractor.extract(frame);
    const labelled = (byImage.get(image.id) ?? []).map((l) => (options.mirror ? { ...l, bbox: mirrorBox(l.bbox, frame.width) } : l));
    const gts: TargetBox[] = labelled.map(({ bbox, classId }) => ({
      x1: bbox[0]! * transform.scaleX + transform.padX,
      y1: bbox[1]! * transform.scaleY + transform.padY,
      x2: (bbox[0]! + bbox[2]!) * transform.scaleX + transform.padX,
      y2: (bbox[1]! + bbox[3]!) * transform.scaleY + transform.padY,
      classId,
    }));
    const grid = extractor.grid;
    const inBox = new Uint8Array(grid.count);
    for (const g of gts) {
      for (let a = 0; a < grid.count; a++) if (grid.cx[a]! > g.x1 && grid.cx[a]! < g.x2 && grid.cy[a]! > g.y1 && grid.cy[a]! < g.y2) inBox[a] = 1;
    }
    out.push({ imageId: image.id, path: image.path, features, boxes, transform, targets: assignTargets(grid, boxes, gts), gtCount: gts.length, inBox });
    onImage();
  }
  return out;
}
