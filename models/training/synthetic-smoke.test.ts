import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../pipeline/patrol/simulation/random.ts';
import type { RgbFrame } from '../preprocess/frame.ts';
import { addSyntheticSmoke, drawPlume, pastePlume, plumeDensity, valueNoise, type Plume } from './synthetic-smoke.ts';

/** A frame of one colour. */
const flat = (width: number, height: number, rgb = [20, 90, 40]): RgbFrame => ({
  width, height, data: Uint8Array.from({ length: width * height * 3 }, (_, i) => rgb[i % 3]!),
});
const overlap = (a: readonly number[], b: readonly number[]): number =>
  Math.max(0, Math.min(a[0]! + a[2]!, b[0]! + b[2]!) - Math.max(a[0]!, b[0]!)) * Math.max(0, Math.min(a[1]! + a[3]!, b[1]! + b[3]!) - Math.max(a[1]!, b[1]!));

describe('synthetic smoke', () => {
  it('value noise stays in [0, 1], varies over the patch and repeats with the seed', () => {
    const a = valueNoise(64, 48, seededRandom(5));
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThanOrEqual(1);
    expect(Math.max(...a) - Math.min(...a)).toBeGreaterThan(0.3);
    expect(valueNoise(64, 48, seededRandom(5))).toEqual(a);
    expect(valueNoise(64, 48, seededRandom(6))).not.toEqual(a);
  });

  it('a plume is dense inside its ellipse and empty at the corners of its box', () => {
    const plume: Plume = { x: 0, y: 0, width: 80, height: 60, opacity: 0.9, grey: 220 };
    const d = plumeDensity(plume, seededRandom(1));
    for (const [x, y] of [[0, 0], [79, 0], [0, 59], [79, 59]]) expect(d[y! * 80 + x!]).toBe(0);
    const middle = Array.from({ length: 20 * 20 }, (_, i) => d[(20 + Math.floor(i / 20)) * 80 + 30 + (i % 20)]!);
    expect(middle.reduce((s, v) => s + v, 0) / middle.length).toBeGreaterThan(0.5);
  });

  it('pastes the cloud inside its box only, greys the pixels there and labels the dense part', () => {
    const frame = flat(200, 160);
    const plume: Plume = { x: 50, y: 40, width: 90, height: 70, opacity: 0.9, grey: 230 };
    const { frame: out, bbox } = pastePlume(frame, plume, seededRandom(2));
    expect(out.data).not.toBe(frame.data);
    expect(frame.data[(60 * 200 + 80) * 3]).toBe(20);
    for (let y = 0; y < 160; y++) {
      for (let x = 0; x < 200; x++) {
        const inside = x >= 50 && x < 140 && y >= 40 && y < 110;
        if (!inside) expect([...out.data.subarray((y * 200 + x) * 3, (y * 200 + x) * 3 + 3)]).toEqual([20, 90, 40]);
      }
    }
    expect(bbox).not.toBeNull();
    const [bx, by, bw, bh] = bbox!;
    expect(bx).toBeGreaterThanOrEqual(50);
    expect(by).toBeGreaterThanOrEqual(40);
    expect(bx + bw).toBeLessThanOrEqual(140);
    expect(by + bh).toBeLessThanOrEqual(110);
    expect(bw * bh).toBeGreaterThan(0.3 * 90 * 70);
    const centre = (Math.round(by + bh / 2) * 200 + Math.round(bx + bw / 2)) * 3;
    // The dark green moved towards the light grey at the cloud's centre.
    expect(out.data[centre]!).toBeGreaterThan(100);
    expect(out.data[centre]!).toBeCloseTo(out.data[centre + 2]!, -1.5);
  });

  it('keeps plumes clear of labelled boxes, and gives up when a box fills the frame', () => {
    const random = seededRandom(3);
    const labelled = [{ bbox: [100, 20, 150, 120], classId: 0 }];
    const plumes = Array.from({ length: 50 }, () => drawPlume(320, 240, labelled, random)).filter((p) => p !== null);
    expect(plumes.length).toBeGreaterThan(40);
    for (const p of plumes) {
      expect(overlap([p.x, p.y, p.width, p.height], labelled[0]!.bbox)).toBeLessThanOrEqual(0.1 * p.width * p.height);
      expect(p.x + p.width).toBeLessThanOrEqual(320);
      expect(p.y + p.height).toBeLessThanOrEqual(240);
    }
    expect(drawPlume(320, 240, [{ bbox: [0, 0, 320, 240], classId: 0 }], random)).toBeNull();
  });

  it('adds one or two smoke labels to the image\'s own, the same with the same seed, none when there is no room', () => {
    const frame = flat(320, 240);
    const own = [{ bbox: [10, 10, 40, 40], classId: 0 }];
    const counts = new Set<number>();
    for (let seed = 1; seed <= 12; seed++) {
      const smoked = addSyntheticSmoke(frame, own, 1, seededRandom(seed))!;
      expect(smoked.labels[0]).toEqual(own[0]);
      expect(smoked.labels.slice(1).every((l) => l.classId === 1)).toBe(true);
      counts.add(smoked.labels.length - 1);
      expect(Buffer.from(addSyntheticSmoke(frame, own, 1, seededRandom(seed))!.frame.data).equals(smoked.frame.data)).toBe(true);
    }
    expect([...counts].sort()).toEqual([1, 2]);
    expect(addSyntheticSmoke(frame, [{ bbox: [0, 0, 320, 240], classId: 0 }], 1, seededRandom(1))).toBeNull();
  });
});
