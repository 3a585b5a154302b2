import { describe, expect, it } from 'vitest';
import { parseYoloLabels } from './yolo-labels.ts';

describe('parseYoloLabels', () => {
  it('converts normalised centre boxes to pixel [x, y, w, h] and keeps line numbers', () => {
    const { objects, problems } = parseYoloLabels('0 0.5 0.5 0.5 0.25\n\n2 0.25 0.75 0.1 0.2\n', 3, 640, 480);
    expect(problems).toEqual([]);
    expect(objects).toEqual([
      { classId: 0, bbox: [160, 180, 320, 120], line: 1 },
      { classId: 2, bbox: [128, 312, 64, 96], line: 3 },
    ]);
  });

  it('reads Windows line ends and extra spaces', () => {
    const { objects } = parseYoloLabels('  1   0.5 0.5 1 1 \r\n', 2, 100, 100);
    expect(objects).toEqual([{ classId: 1, bbox: [0, 0, 100, 100], line: 1 }]);
  });

  it('turns a segmentation polygon into its bounding box', () => {
    const { objects, problems } = parseYoloLabels('0 0.1 0.2 0.5 0.2 0.3 0.6', 1, 100, 100);
    expect(problems).toEqual([]);
    expect(objects[0]!.bbox.map((v) => Math.round(v * 1e6) / 1e6)).toEqual([10, 20, 40, 40]);
  });

  it.each([
    ['4 fields', '0 0.5 0.5 0.2', 'got 4 fields'],
    ['6 fields', '0 0.5 0.5 0.2 0.2 0.1', 'got 6 fields'],
    ['a word', '0 0.5 abc 0.2 0.2', '"abc" is not a number'],
    ['a class past the names', '5 0.5 0.5 0.2 0.2', 'class 5 is not a class id 0..2'],
    ['a fractional class', '1.5 0.5 0.5 0.2 0.2', 'class 1.5 is not a class id'],
    ['a negative class', '-1 0.5 0.5 0.2 0.2', 'class -1'],
    ['pixel coordinates', '0 320 240 50 50', 'outside the image'],
    ['a box past the right edge', '0 0.95 0.5 0.2 0.2', 'outside the image'],
    ['a zero width', '0 0.5 0.5 0 0.2', 'must be > 0'],
    ['a flat polygon', '0 0.1 0.1 0.2 0.1 0.3 0.1', 'polygon has no area'],
  ])('reports %s with its line number and skips it', (_, line, problem) => {
    const { objects, problems } = parseYoloLabels(`0 0.5 0.5 0.1 0.1\n${line}\n`, 3, 640, 480);
    expect(objects).toHaveLength(1);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.line).toBe(2);
    expect(problems[0]!.problem).toContain(problem);
  });

  it('accepts edges just outside 0-1 (labelling tools round) and clips them to the image', () => {
    const { objects, problems } = parseYoloLabels('0 0.5 0.5 1.01 1.01', 1, 200, 100);
    expect(problems).toEqual([]);
    expect(objects[0]!.bbox).toEqual([0, 0, 200, 100]);
  });

  it('reports an exact duplicate line once and keeps the first', () => {
    const { objects, problems } = parseYoloLabels('0 0.5 0.5 0.1 0.1\n0 0.50 0.5 0.1 0.1\n', 1, 10, 10);
    expect(objects).toHaveLength(1);
    expect(problems).toEqual([{ line: 2, problem: 'duplicate of line 1' }]);
  });

  it('reads an empty file as no objects', () => {
    expect(parseYoloLabels('', 1, 10, 10)).toEqual({ objects: [], problems: [] });
  });
});
