import { describe, expect, it } from 'vitest';
import { mirrorBox, mirrorFrame } from './mirror.ts';

describe('horizontal flip', () => {
  it('mirrors pixels left to right and keeps each pixel\'s colour order', () => {
    // 3x2: row 0 = red, green, blue; row 1 = white, black, grey.
    const data = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 9, 8, 7]);
    const m = mirrorFrame({ width: 3, height: 2, data });
    expect(m).toMatchObject({ width: 3, height: 2 });
    expect([...m.data]).toEqual([0, 0, 255, 0, 255, 0, 255, 0, 0, 9, 8, 7, 0, 0, 0, 255, 255, 255]);
    expect([...mirrorFrame(m).data]).toEqual([...data]);
  });

  it.each([
    [[0, 5, 10, 20], 100, [90, 5, 10, 20]],
    [[40, 0, 20, 10], 100, [40, 0, 20, 10]],
    [[0, 0, 100, 50], 100, [0, 0, 100, 50]],
  ])('mirrors box %j in a %d-pixel-wide image to %j', (box, width, expected) => {
    expect(mirrorBox(box, width)).toEqual(expected);
  });
});
