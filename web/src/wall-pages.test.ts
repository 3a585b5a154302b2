import { describe, expect, it } from 'vitest';
import { wallPages } from './wall-pages.ts';

describe('wallPages', () => {
  const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
  it.each([
    { perPage: 4, pinned: [], want: [['a', 'b', 'c', 'd'], ['e', 'f']] },
    { perPage: 9, pinned: [], want: [['a', 'b', 'c', 'd', 'e', 'f']] },
    { perPage: 4, pinned: ['e'], want: [['e', 'a', 'b', 'c'], ['e', 'd', 'f']] },
    // At most perPage - 1 pins, so the wall still rotates.
    { perPage: 2, pinned: ['a', 'b'], want: [['a', 'b'], ['a', 'c'], ['a', 'd'], ['a', 'e'], ['a', 'f']] },
    // A pin outside the group is ignored.
    { perPage: 4, pinned: ['zz'], want: [['a', 'b', 'c', 'd'], ['e', 'f']] },
  ])('$perPage per page, pinned $pinned', ({ perPage, pinned, want }) => {
    expect(wallPages(ids, pinned, perPage)).toEqual(want);
  });
  it('an empty group has no pages; a group of pins only has one', () => {
    expect(wallPages([], [], 4)).toEqual([]);
    expect(wallPages(['a', 'b'], ['a'], 4)).toEqual([['a', 'b']]);
  });
});
