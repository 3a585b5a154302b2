/**
 * The one detection type the whole system uses. Boxes are in source-image pixels
 * (the frame or file the detector was given), clipped to the image, as [x1, y1, x2, y2].
 */
export interface Detection {
  /** Human-readable class label from the model card, e.g. "car". */
  readonly label: string;
  /** Index into the model card's label list. */
  readonly classId: number;
  /** Confidence in [0, 1]. */
  readonly score: number;
  /** [x1, y1, x2, y2] in source pixels, x1 <= x2, y1 <= y2. */
  readonly box: readonly [number, number, number, number];
}

/** Detections for one image, with the image size the boxes refer to. */
export interface Detections {
  readonly width: number;
  readonly height: number;
  readonly items: readonly Detection[];
}
