import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.ts';

describe('LineSplitter', () => {
  it('reports whole lines across chunks, with \\n, \\r\\n and lone \\r endings, and the unterminated rest at the end', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push('[info] Input #0, rt');
    expect(lines).toEqual([]);
    s.push('sp\n[info] Stream #0:0\r\nframe=1\rframe=2\r');
    s.push('[error] last');
    expect(lines).toEqual(['[info] Input #0, rtsp', '[info] Stream #0:0', 'frame=1', 'frame=2']);
    s.end();
    expect(lines.at(-1)).toBe('[error] last');
    s.end();
    expect(lines).toHaveLength(5);
  });

  it('a \\r\\n split between two chunks makes one line ending, not an empty line', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push('a\r');
    s.push('\nb\n');
    expect(lines).toEqual(['a', 'b']);
  });
});
