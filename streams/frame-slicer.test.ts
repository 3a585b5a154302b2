import { describe, expect, it } from 'vitest';
import { FrameSlicer } from './frame-slicer.ts';

const bytes = (n: number, start = 0): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (start + i) % 256));

describe('FrameSlicer', () => {
  it('cuts frames across chunk boundaries and drops bytes past the last wanted frame', () => {
    const seen: number[] = [];
    const s = new FrameSlicer(2, (_f, i) => seen.push(i));
    s.setSize(2, 1); // 6 bytes a frame
    const all = bytes(20);
    for (const [a, b] of [[0, 4], [4, 5], [5, 13], [13, 20]] as const) s.push(all.subarray(a, b));
    expect(s.frames.map((f) => [...f.data])).toEqual([[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]);
    expect(s.frames[0]).toMatchObject({ width: 2, height: 1 });
    expect(seen).toEqual([0, 1]);
    expect(s.full).toBe(true);
    expect(s.bytesRead).toBe(20);
  });

  it('holds bytes until the size is known', () => {
    const s = new FrameSlicer(3);
    s.push(bytes(7));
    expect(s.frames).toHaveLength(0);
    s.setSize(1, 1);
    expect(s.frames.map((f) => [...f.data])).toEqual([[0, 1, 2], [3, 4, 5]]);
    s.push(bytes(2, 7));
    expect(s.frames).toHaveLength(3);
  });

  it('copies: frames do not alias the chunks', () => {
    const s = new FrameSlicer(1);
    s.setSize(1, 1);
    const chunk = bytes(3);
    s.push(chunk);
    chunk.fill(9);
    expect([...s.frames[0]!.data]).toEqual([0, 1, 2]);
  });

  it('refuses a size change', () => {
    const s = new FrameSlicer(1);
    s.setSize(2, 2);
    s.setSize(2, 2);
    expect(() => s.setSize(4, 2)).toThrow(/changed/);
  });
});
