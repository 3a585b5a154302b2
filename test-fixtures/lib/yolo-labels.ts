import { readFileSync } from 'node:fs';

/** One labelled box from a YOLO label file, converted to pixels. */
export interface LabelledBox {
  readonly classId: number;
  readonly box: [number, number, number, number];
  /** Box area as a fraction of the image. */
  readonly areaFraction: number;
}

/** Reads a YOLO `class cx cy w h` (normalised) label file into pixel boxes for a width x height image. */
export function readYoloLabels(path: string, width: number, height: number): LabelledBox[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [c, cx, cy, w, h] = line.split(/\s+/).map(Number) as [number, number, number, number, number];
      return {
        classId: c,
        box: [(cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height],
        areaFraction: w * h,
      };
    });
}
