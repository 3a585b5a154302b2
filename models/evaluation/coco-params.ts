/**
 * The fixed parameters of COCO bbox evaluation, as pycocotools' `Params` sets them for
 * iouType "bbox". The threshold lists are built the way numpy's linspace builds them so every
 * value is the same double pycocotools compares against (0.9 is 0.8999999999999999 there).
 */

/** numpy.linspace(start, stop, num, endpoint=True): i * ((stop - start) / (num - 1)) + start, last = stop. */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const values = Array.from({ length: num }, (_, i) => i * step + start);
  values[num - 1] = stop;
  return values;
}

/** IoU thresholds 0.50:0.05:0.95 (10 values). */
export const IOU_THRESHOLDS: readonly number[] = Object.freeze(
  linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1),
);

/** Recall points 0:0.01:1 (101 values) at which precision is sampled. */
export const RECALL_THRESHOLDS: readonly number[] = Object.freeze(
  linspace(0, 1, Math.round((1 - 0) / 0.01) + 1),
);

/** An object-size bucket, bounds inclusive, in square pixels. */
export interface AreaRange {
  readonly label: 'all' | 'small' | 'medium' | 'large';
  readonly min: number;
  readonly max: number;
}

/** all, small (< 32²), medium (32²..96²), large (> 96²); 1e10 stands for "no upper bound". */
export const AREA_RANGES: readonly AreaRange[] = Object.freeze([
  { label: 'all', min: 0, max: 1e10 },
  { label: 'small', min: 0, max: 32 ** 2 },
  { label: 'medium', min: 32 ** 2, max: 96 ** 2 },
  { label: 'large', min: 96 ** 2, max: 1e10 },
]);

/** Detections per image kept, best score first; the last is the cap used when matching. */
export const MAX_DETS: readonly number[] = Object.freeze([1, 10, 100]);
