import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../pipeline/patrol/simulation/random.ts';
import type { RgbFrame } from '../preprocess/frame.ts';
import { mosaicLayout, placeBox, renderMosaic, type TilePlacement } from './mosaic.ts';

const at = (x: number, y: number, width: number, height: number, mirror = false): TilePlacement => ({ x, y, width, height, mirror });

describe('placeBox: a source box moved into its mosaic tile', () => {
  it.each([
    // A 100x50 source placed at (10, 20) at half size.
    ['scaled and shifted', [20, 10, 40, 20], at(10, 20, 50, 25), [20, 25, 20, 10]],
    ['mirrored before scaling', [20, 10, 40, 20], at(10, 20, 50, 25, true), [30, 25, 20, 10]],
    ['the whole image becomes the whole tile', [0, 0, 100, 50], at(7, 3, 40, 20), [7, 3, 40, 20]],
    ['stretched unevenly', [50, 25, 50, 25], at(0, 0, 200, 25), [100, 12.5, 100, 12.5]],
    ['clipped to the tile when it spills over the source', [80, 40, 40, 20], at(0, 0, 100, 50), [80, 40, 20, 10]],
  ])('%s', (_what, box, placement, expected) => {
    const placed = placeBox(box, 100, 50, placement)!;
    expected.forEach((v, i) => expect(placed[i]).toBeCloseTo(v, 9));
  });

  it('drops a box left under 2 pixels wide or high', () => {
    expect(placeBox([0, 0, 3, 40], 100, 50, at(0, 0, 50, 25))).toBeNull();
    expect(placeBox([0, 0, 40, 3], 100, 50, at(0, 0, 50, 25))).toBeNull();
    expect(placeBox([0, 0, 4, 4], 100, 50, at(0, 0, 50, 25))).toEqual([0, 0, 2, 2]);
  });
});

describe('mosaicLayout', () => {
  const sizes = [{ width: 608, height: 608 }, { width: 640, height: 360 }, { width: 300, height: 600 }, { width: 608, height: 608 }];

  it('fits each source into its own quarter with its aspect ratio, at 0.3-0.7 of the frame, without overlaps', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const tiles = mosaicLayout(608, 608, sizes, seededRandom(seed));
      expect(tiles).toHaveLength(4);
      tiles.forEach((t, i) => {
        expect(t.x).toBeGreaterThanOrEqual(0);
        expect(t.y).toBeGreaterThanOrEqual(0);
        expect(t.x + t.width).toBeLessThanOrEqual(608);
        expect(t.y + t.height).toBeLessThanOrEqual(608);
        const { width: sw, height: sh } = sizes[i]!;
        // Rounding each side to whole pixels is the only change of aspect ratio allowed.
        expect(Math.abs(t.width * sh - t.height * sw)).toBeLessThanOrEqual((sw + sh) / 2);
        expect(Math.max(t.width / 608, t.height / 608)).toBeLessThanOrEqual(0.7 + 1 / 608);
        for (const o of tiles.slice(i + 1)) {
          const overlapX = Math.min(t.x + t.width, o.x + o.width) - Math.max(t.x, o.x);
          const overlapY = Math.min(t.y + t.height, o.y + o.height) - Math.max(t.y, o.y);
          expect(overlapX <= 0 || overlapY <= 0).toBe(true);
        }
      });
    }
  });

  it('repeats with the seed and differs between seeds', () => {
    expect(mosaicLayout(608, 608, sizes, seededRandom(4))).toEqual(mosaicLayout(608, 608, sizes, seededRandom(4)));
    expect(mosaicLayout(608, 608, sizes, seededRandom(4))).not.toEqual(mosaicLayout(608, 608, sizes, seededRandom(5)));
  });
});

describe('renderMosaic', () => {
  const solid = (width: number, height: number, rgb: [number, number, number]): RgbFrame => {
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
    return { width, height, data };
  };
  const colours: [number, number, number][] = [[250, 0, 0], [0, 250, 0], [0, 0, 250], [250, 250, 0]];

  it('paints each tile where its placement says, black elsewhere, with each box inside its own tile', async () => {
    const tiles = colours.map((c, i) => ({ frame: solid(40, 40, c), labels: [{ bbox: [10, 10, 20, 20], classId: i }] }));
    const out = await renderMosaic(tiles, 100, 100, seededRandom(9));
    const placements = mosaicLayout(100, 100, tiles.map((t) => t.frame), seededRandom(9));
    const pixel = (x: number, y: number): number[] => [...out.frame.data.subarray((y * 100 + x) * 3, (y * 100 + x) * 3 + 3)];
    placements.forEach((p, i) => expect(pixel(p.x + Math.floor(p.width / 2), p.y + Math.floor(p.height / 2))).toEqual(colours[i]));
    let black = 0;
    for (let i = 0; i < 100 * 100; i++) if (out.frame.data[i * 3]! + out.frame.data[i * 3 + 1]! + out.frame.data[i * 3 + 2]! === 0) black++;
    const painted = placements.reduce((n, p) => n + p.width * p.height, 0);
    expect(black).toBe(100 * 100 - painted);
    expect(out.labels.map((l) => l.classId)).toEqual([0, 1, 2, 3]);
    out.labels.forEach((l, i) => {
      const p = placements[i]!;
      expect(l.bbox[0]).toBeCloseTo(p.x + p.width / 4, 9);
      expect(l.bbox[2]).toBeCloseTo(p.width / 2, 9);
      expect(pixel(Math.round(l.bbox[0]! + l.bbox[2]! / 2), Math.round(l.bbox[1]! + l.bbox[3]! / 2))).toEqual(colours[i]);
    });
  });

  it('with colour jitter: the same layout and boxes, each tile recoloured on its own', async () => {
    const tiles = colours.map((c) => ({ frame: solid(40, 40, c), labels: [{ bbox: [10, 10, 20, 20], classId: 0 }] }));
    const plain = await renderMosaic(tiles, 100, 100, seededRandom(9));
    const jittered = await renderMosaic(tiles, 100, 100, seededRandom(9), { colourJitter: seededRandom(1) });
    expect(jittered.labels).toEqual(plain.labels);
    const placements = mosaicLayout(100, 100, tiles.map((t) => t.frame), seededRandom(9));
    for (const p of placements) {
      const at = ((p.y + Math.floor(p.height / 2)) * 100 + p.x + Math.floor(p.width / 2)) * 3;
      expect([...jittered.frame.data.subarray(at, at + 3)]).not.toEqual([...plain.frame.data.subarray(at, at + 3)]);
    }
    expect([...(await renderMosaic(tiles, 100, 100, seededRandom(9), { colourJitter: seededRandom(1) })).frame.data]).toEqual([...jittered.frame.data]);
  });
});
