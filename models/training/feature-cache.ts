import { seededRandom } from '../../pipeline/patrol/simulation/random.ts';
import type { LabelledDataset } from '../evaluation/dataset-types.ts';
import type { RgbFrame } from '../preprocess/frame.ts';
import { loadImageFile } from '../preprocess/image-file.ts';
import type { InputTransform } from '../preprocess/transform.ts';
import { assignTargets, type AssignedTargets, type TargetBox } from './assign-targets.ts';
import type { FeatureExtractor } from './feature-extractor.ts';
import { mirrorBox, mirrorFrame } from './mirror.ts';
import { renderMosaic, type LabelledBox, type MosaicTile } from './mosaic.ts';
import { addSyntheticSmoke } from './synthetic-smoke.ts';

/** One image as training sees it: the frozen network's features and boxes, and its assigned targets. */
export interface CachedImage {
  /** Image id in the dataset's ground truth (a mosaic's: that of the image it was made for). */
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

function labelsByImage(dataset: LabelledDataset): Map<number, LabelledBox[]> {
  const byImage = new Map<number, LabelledBox[]>();
  for (const a of dataset.groundTruth.annotations) {
    const list = byImage.get(a.image_id) ?? [];
    list.push({ bbox: a.bbox, classId: a.category_id });
    byImage.set(a.image_id, list);
  }
  return byImage;
}

/** Runs the frozen network on one frame and assigns its labelled boxes (source pixels) to anchors. */
async function cacheFrame(imageId: number, path: string, frame: RgbFrame, labelled: readonly LabelledBox[], extractor: FeatureExtractor): Promise<CachedImage> {
  const { features, boxes, transform } = await extractor.extract(frame);
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
  return { imageId, path, features, boxes, transform, targets: assignTargets(grid, boxes, gts), gtCount: gts.length, inBox };
}

/**
 * Runs the frozen network over every image once and keeps what the head needs. `onImage` is
 * called after each. With `mirror` every image (and its boxes) is flipped left to right first.
 */
export async function cacheFeatures(dataset: LabelledDataset, extractor: FeatureExtractor, onImage: () => void = () => {}, options: { readonly mirror?: boolean } = {}): Promise<CachedImage[]> {
  const byImage = labelsByImage(dataset);
  const out: CachedImage[] = [];
  for (const image of dataset.images) {
    const loaded = await loadImageFile(image.path);
    const frame = options.mirror ? mirrorFrame(loaded) : loaded;
    const labelled = (byImage.get(image.id) ?? []).map((l) => (options.mirror ? { ...l, bbox: mirrorBox(l.bbox, frame.width) } : l));
    out.push(await cacheFrame(image.id, image.path, frame, labelled, extractor));
    onImage();
  }
  return out;
}

/**
 * `copies` mosaics per image (see mosaic.ts), each run through the frozen network as an image of
 * its own: the image in a random quarter with three others of the dataset drawn with the seed, at
 * the image's size, each tile colour-jittered with `colourJitter` (the same mosaics otherwise).
 * The same seed and dataset give the same mosaics.
 */
export async function cacheMosaics(dataset: LabelledDataset, extractor: FeatureExtractor, copies: number, seed: number, onImage: () => void = () => {}, options: { readonly colourJitter?: boolean } = {}): Promise<CachedImage[]> {
  const byImage = labelsByImage(dataset);
  const images = dataset.images;
  const random = seededRandom(seed * 2654435761 + 0x6d05a1c);
  // A stream of its own, so that jitter recolours the same mosaics rather than drawing others.
  const jitter = options.colourJitter ? { colourJitter: seededRandom(seed * 2246822519 + 0xc01) } : {};
  const tile = async (index: number): Promise<MosaicTile> => ({ frame: await loadImageFile(images[index]!.path), labels: byImage.get(images[index]!.id) ?? [] });
  const out: CachedImage[] = [];
  for (let copy = 0; copy < copies; copy++) {
    for (const [i, image] of images.entries()) {
      const sources = [i, ...Array.from({ length: 3 }, () => Math.floor(random() * images.length))];
      const quarter = Math.floor(random() * 4);
      [sources[0], sources[quarter]] = [sources[quarter]!, sources[0]!];
      const tiles = await Promise.all(sources.map(tile));
      const own = tiles[quarter]!.frame;
      const mosaic = await renderMosaic(tiles, own.width, own.height, random, jitter);
      out.push(await cacheFrame(image.id, image.path, mosaic.frame, mosaic.labels, extractor));
      onImage();
    }
  }
  return out;
}

/**
 * One copy of every image with synthetic smoke plumes labelled `classId` (see synthetic-smoke.ts),
 * run through the frozen network as an image of its own; an image where no plume finds room clear
 * of its boxes gives no copy. The same seed and dataset give the same plumes.
 */
export async function cacheSyntheticSmoke(dataset: LabelledDataset, extractor: FeatureExtractor, classId: number, seed: number, onImage: () => void = () => {}): Promise<CachedImage[]> {
  const byImage = labelsByImage(dataset);
  const random = seededRandom(seed * 2654435761 + 0x5a0e);
  const out: CachedImage[] = [];
  for (const image of dataset.images) {
    const smoked = addSyntheticSmoke(await loadImageFile(image.path), byImage.get(image.id) ?? [], classId, random);
    if (smoked) out.push(await cacheFrame(image.id, image.path, smoked.frame, smoked.labels, extractor));
    onImage();
  }
  return out;
}
