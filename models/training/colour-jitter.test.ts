import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../pipeline/patrol/simulation/random.ts';
import { drawColourJitter, jitterFrame, JITTER_RANGE, type ColourJitter } from './colour-jitter.ts';

const none: ColourJitter = { hueDegrees: 0, saturation: 1, brightness: 1 };
const pixel = (...rgb: number[]) => ({ width: rgb.length / 3, height: 1, data: Uint8Array.from(rgb) });
const jitter = (j: Partial<ColourJitter>, ...rgb: number[]): number[] => [...jitterFrame(pixel(...rgb), { ...none, ...j }).data];

describe('colour jitter', () => {
  it('changes nothing at hue 0, saturation 1, brightness 1', () => {
    expect(jitter({}, 200, 100, 50, 0, 0, 0, 255, 255, 255)).toEqual([200, 100, 50, 0, 0, 0, 255, 255, 255]);
  });

  it('rotates hue about the grey axis: 120 degrees takes red to green and green to blue, greys stay grey', () => {
    expect(jitter({ hueDegrees: 120 }, 255, 0, 0, 0, 255, 0, 128, 128, 128)).toEqual([0, 255, 0, 0, 0, 255, 128, 128, 128]);
    expect(jitter({ hueDegrees: -120 }, 255, 0, 0)).toEqual([0, 0, 255]);
  });

  it('saturation 0 gives the BT.601 luma grey, 2 pushes away from it, clamped to 0-255', () => {
    expect(jitter({ saturation: 0 }, 200, 100, 50)).toEqual([124, 124, 124]);
    // luma 124.2: 124.2 + 2 * (x - 124.2)
    expect(jitter({ saturation: 2 }, 200, 100, 50)).toEqual([255, 76, 0]);
  });

  it('brightness scales every channel and clamps instead of wrapping', () => {
    expect(jitter({ brightness: 0.5 }, 200, 100, 51)).toEqual([100, 50, 26]);
    expect(jitter({ brightness: 1.3 }, 250, 100, 0)).toEqual([255, 130, 0]);
  });

  it('draws within its range, repeats with the seed', () => {
    const random = seededRandom(3);
    for (let i = 0; i < 200; i++) {
      const j = drawColourJitter(random);
      expect(Math.abs(j.hueDegrees)).toBeLessThanOrEqual(JITTER_RANGE.hueDegrees);
      expect(Math.abs(Math.log(j.saturation))).toBeLessThanOrEqual(Math.log(JITTER_RANGE.saturation) + 1e-12);
      expect(Math.abs(Math.log(j.brightness))).toBeLessThanOrEqual(Math.log(JITTER_RANGE.brightness) + 1e-12);
    }
    expect(drawColourJitter(seededRandom(5))).toEqual(drawColourJitter(seededRandom(5)));
  });
});
