import { describe, expect, it } from 'vitest';
import { buildAnchorGrid } from './anchor-grid.ts';
import { assignTargets } from './assign-targets.ts';

// A 64x64 input with strides 16 and 32: 4x4 + 2x2 anchors. Every frozen box is the 24x24 square
// around its anchor centre, except anchor 5 (centre 23.5, 23.5) whose box fits the object exactly.
const grid = buildAnchorGrid(64, 64, [16, 32]);
const boxes = new Float32Array(grid.count * 4);
for (let a = 0; a < grid.count; a++) boxes.set([grid.cx[a]! - 12, grid.cy[a]! - 12, grid.cx[a]! + 12, grid.cy[a]! + 12], 4 * a);
boxes.set([10, 10, 40, 40], 4 * 5);

describe('assignTargets', () => {
  it('makes the anchors whose frozen boxes fit the object best positive, with their IoU as the soft target', () => {
    const t = assignTargets(grid, boxes, [{ x1: 10, y1: 10, x2: 40, y2: 40, classId: 2 }], { topK: 4 });
    expect(grid.cx[5]).toBe(23.5);
    expect(Array.from(t.anchors)).toContain(5);
    const at5 = Array.from(t.anchors).indexOf(5);
    expect(t.quality[at5]).toBeCloseTo(1, 6);
    expect(Array.from(t.classes).every((c) => c === 2)).toBe(true);
    // Every positive's centre lies inside the object, and its target is its IoU (< 1 except anchor 5).
    for (const a of t.anchors) expect(grid.cx[a]! > 10 && grid.cx[a]! < 40 && grid.cy[a]! > 10 && grid.cy[a]! < 40).toBe(true);
    expect(Array.from(t.quality).filter((q) => q < 0.999).every((q) => q > 0 && q < 1)).toBe(true);
  });

  it('gives an anchor claimed by two objects to the one its box overlaps most, and nothing without objects', () => {
    const t = assignTargets(grid, boxes, [
      { x1: 0, y1: 0, x2: 64, y2: 64, classId: 0 },
      { x1: 10, y1: 10, x2: 40, y2: 40, classId: 1 },
    ]);
    expect(t.classes[Array.from(t.anchors).indexOf(5)]).toBe(1);
    expect(assignTargets(grid, boxes, []).anchors.length).toBe(0);
  });
});
