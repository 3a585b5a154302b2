import type { CocoBox } from './coco-types.ts';

/** One object read from a YOLO label line, in image pixels. */
export interface YoloObject {
  readonly classId: number;
  /** [x, y, width, height] in pixels, clipped to the image. */
  readonly bbox: CocoBox;
  /** 1-based line in the label file. */
  readonly line: number;
}

/** A label line that was skipped and why. */
export interface YoloLineProblem {
  readonly line: number;
  readonly problem: string;
}

/** What one label file holds. */
export interface YoloLabels {
  readonly objects: YoloObject[];
  readonly problems: YoloLineProblem[];
}

/** How far outside 0-1 a normalised box edge may be (rounding by labelling tools) before it is an error. */
export const COORD_TOLERANCE = 0.01;

const clip = (v: number, max: number): number => Math.min(Math.max(v, 0), max);

/** Normalised [x1, y1, x2, y2] of a box line (class cx cy w h) or a polygon line (class x1 y1 x2 y2 ...). */
function corners(coords: readonly number[]): [number, number, number, number] | string {
  if (coords.length === 4) {
    const [cx, cy, w, h] = coords as [number, number, number, number];
    if (w <= 0 || h <= 0) return `box width and height must be > 0, got ${w} x ${h}`;
    return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
  }
  // YOLO segmentation labels: the object's box is the polygon's bounding box (as Ultralytics does).
  const xs = coords.filter((_, i) => i % 2 === 0);
  const ys = coords.filter((_, i) => i % 2 === 1);
  const box: [number, number, number, number] = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  if (box[2] <= box[0] || box[3] <= box[1]) return 'polygon has no area';
  return box;
}

function parseLine(text: string, classCount: number): { classId: number; box: [number, number, number, number] } | string {
  const fields = text.split(/\s+/);
  const polygon = fields.length >= 7 && fields.length % 2 === 1;
  if (fields.length !== 5 && !polygon) return `expected "class cx cy w h" (5 fields) or a polygon, got ${fields.length} fields`;
  const values = fields.map(Number);
  const bad = fields.find((f, i) => !Number.isFinite(values[i]));
  if (bad !== undefined) return `"${bad}" is not a number`;
  const classId = values[0]!;
  if (!Number.isInteger(classId) || classId < 0 || classId >= classCount) {
    return `class ${fields[0]} is not a class id 0..${classCount - 1}`;
  }
  const box = corners(values.slice(1));
  if (typeof box === 'string') return box;
  const outside = box.some((v) => v < -COORD_TOLERANCE || v > 1 + COORD_TOLERANCE);
  if (outside) return `box [${box.map((v) => v.toFixed(4)).join(', ')}] is outside the image (coordinates must be normalised 0-1)`;
  return { classId, box };
}

/**
 * Parses a YOLO label file (`class cx cy w h` per line, normalised to 0-1) for a width x height
 * image. Blank lines are fine. Malformed lines (wrong field count, non-numbers, unknown class,
 * box outside the image by more than {@link COORD_TOLERANCE}, zero size) and exact duplicates
 * are returned as problems with their line number, not as objects.
 */
export function parseYoloLabels(text: string, classCount: number, width: number, height: number): YoloLabels {
  const objects: YoloObject[] = [];
  const problems: YoloLineProblem[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (!trimmed) return;
    const parsed = parseLine(trimmed, classCount);
    if (typeof parsed === 'string') {
      problems.push({ line, problem: parsed });
      return;
    }
    const key = trimmed.split(/\s+/).map(Number).join(' ');
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({ line, problem: `duplicate of line ${first}` });
      return;
    }
    seen.set(key, line);
    const [x1, y1, x2, y2] = parsed.box;
    const px1 = clip(x1 * width, width);
    const py1 = clip(y1 * height, height);
    const px2 = clip(x2 * width, width);
    const py2 = clip(y2 * height, height);
    objects.push({ classId: parsed.classId, bbox: [px1, py1, px2 - px1, py2 - py1], line });
  });
  return { objects, problems };
}
