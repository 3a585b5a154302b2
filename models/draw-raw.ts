/**
 * Drawing straight into a packed RGB24 buffer: rectangles, dashed polylines, alpha masks. Pure
 * pixel loops, no image library: marking evidence this way and encoding once costs a few ms at
 * 1080p, where compositing a full-frame SVG overlay cost 33-40 ms more.
 */

/** An RGB colour, 0-255 per channel. */
export type Rgb = readonly [number, number, number];

/** A packed RGB24 image that may be drawn on. */
export interface Canvas {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Fills the rectangle [x1, x2) x [y1, y2), clipped to the canvas. */
export function fillRect(c: Canvas, x1: number, y1: number, x2: number, y2: number, colour: Rgb): void {
  const xa = Math.max(0, Math.floor(x1));
  const xb = Math.min(c.width, Math.ceil(x2));
  const ya = Math.max(0, Math.floor(y1));
  const yb = Math.min(c.height, Math.ceil(y2));
  const [r, g, b] = colour;
  for (let y = ya; y < yb; y++) {
    let i = (y * c.width + xa) * 3;
    for (let x = xa; x < xb; x++, i += 3) {
      c.data[i] = r;
      c.data[i + 1] = g;
      c.data[i + 2] = b;
    }
  }
}

/** Outlines a box [x1, y1, x2, y2] with a line `t` px thick, inside the box. */
export function strokeRect(c: Canvas, box: readonly number[], t: number, colour: Rgb): void {
  const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = box;
  fillRect(c, x1, y1, x2, y1 + t, colour);
  fillRect(c, x1, y2 - t, x2, y2, colour);
  fillRect(c, x1, y1, x1 + t, y2, colour);
  fillRect(c, x2 - t, y1, x2, y2, colour);
}

/**
 * Strokes a closed polygon (points in canvas pixels) `t` px thick, dashed `dash` px on and `gap`
 * px off along its length (gap 0: solid).
 */
export function strokePolygon(c: Canvas, points: readonly (readonly [number, number])[], t: number, colour: Rgb, dash = 4 * t, gap = 2 * t): void {
  const half = t / 2;
  let along = 0;
  for (let k = 0; k < points.length; k++) {
    const [ax, ay] = points[k]!;
    const [bx, by] = points[(k + 1) % points.length]!;
    const len = Math.hypot(bx - ax, by - ay);
    const steps = Math.max(1, Math.ceil(len));
    for (let s = 0; s <= steps; s++, along++) {
      if (gap > 0 && along % (dash + gap) >= dash) continue;
      const x = ax + ((bx - ax) * s) / steps;
      const y = ay + ((by - ay) * s) / steps;
      fillRect(c, x - half, y - half, x + half, y + half, colour);
    }
  }
}

/** Blends `colour` into the canvas through an 8-bit alpha mask placed at (left, top), clipped. */
export function blendMask(c: Canvas, mask: { readonly width: number; readonly height: number; readonly alpha: Uint8Array }, left: number, top: number, colour: Rgb): void {
  const [r, g, b] = colour;
  for (let my = 0; my < mask.height; my++) {
    const y = top + my;
    if (y < 0 || y >= c.height) continue;
    for (let mx = 0; mx < mask.width; mx++) {
      const x = left + mx;
      if (x < 0 || x >= c.width) continue;
      const a = mask.alpha[my * mask.width + mx]!;
      if (a === 0) continue;
      const i = (y * c.width + x) * 3;
      c.data[i] = (c.data[i]! * (255 - a) + r * a + 127) / 255;
      c.data[i + 1] = (c.data[i + 1]! * (255 - a) + g * a + 127) / 255;
      c.data[i + 2] = (c.data[i + 2]! * (255 - a) + b * a + 127) / 255;
    }
  }
}
