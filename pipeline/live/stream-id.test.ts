import { describe, expect, it } from 'vitest';
import { isNewer } from './live-hub.ts';
import { compareStreamIds, STREAM_ID } from './stream-id.ts';

describe('stream ids', () => {
  it.each([
    ['1-0', '1-0', 0],
    ['1-1', '1-0', 1],
    ['2-0', '1-9', 1],
    ['10-0', '9-0', 1], // numeric, not string order
    ['1700000000000-2', '1700000000000-10', -1],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareStreamIds(a, b))).toBe(sign);
  });
  it('isNewer passes entries without an id and everything when there is no mark', () => {
    expect(isNewer(undefined, '5-0')).toBe(true);
    expect(isNewer('5-0', undefined)).toBe(true);
    expect(isNewer('5-0', '5-0')).toBe(false);
  });
  it('STREAM_ID accepts only <ms>-<seq>', () => {
    expect(['1-0', '1700000000000-12'].every((s) => STREAM_ID.test(s))).toBe(true);
    expect(['', '1', '1-', '-1', '1-0\n', 'a-b', '$'].some((s) => STREAM_ID.test(s))).toBe(false);
  });
});
