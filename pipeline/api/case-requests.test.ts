import { describe, expect, it } from 'vitest';
import { ApiError } from './api-errors.ts';
import { parseBreak, parseClaim, parseEscalate, parseHandle, parseListQuery, parseVerdict } from './case-requests.ts';

const known = (id: string): boolean => id === 'fire_smoke';
const fieldOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    return (err as ApiError).field;
  }
  throw new Error('no error');
};

describe('case API request parsing', () => {
  it('parses good bodies', () => {
    expect(parseClaim({ by: 'w-17' })).toEqual({ by: 'w-17' });
    expect(parseHandle({ by: 'w1', note: 'towed' })).toEqual({ by: 'w1', note: 'towed' });
    expect(parseHandle({ by: 'w1', photoJpegBase64: Buffer.from([0xff, 0xd8, 0xff, 0xe0]).toString('base64') }).photo?.length).toBe(4);
    expect(fieldOf(() => parseHandle({ by: 'w1', photoJpegBase64: Buffer.from('GIF89a').toString('base64') }))).toBe('photoJpegBase64');
    expect(fieldOf(() => parseHandle({ by: 'w1', photoJpegBase64: 'not base64!' }))).toBe('photoJpegBase64');
    expect(parseEscalate({ by: 'op', toLevel: 'street_office', reason: 'big' })).toEqual({ by: 'op', toLevel: 'street_office', reason: 'big' });
    expect(fieldOf(() => parseEscalate({ by: 'op', toLevel: 'city' }))).toBe('toLevel');
    expect(parseBreak({ by: 'op', reason: 'shift over' })).toEqual({ by: 'op', reason: 'shift over' });
    expect(parseVerdict({ by: 'w1', verdict: 'confirmed' }, known)).toEqual({ by: 'w1', verdict: 'confirmed' });
    expect(parseVerdict({ by: 'w1', verdict: 'rejected', reason: 'wrong_event_type', correctType: 'fire_smoke', note: 'smoke' }, known)).toEqual({
      by: 'w1',
      verdict: 'rejected',
      reason: 'wrong_event_type',
      correctType: 'fire_smoke',
      note: 'smoke',
    });
  });

  it.each([
    [undefined, 'body'],
    [[], 'body'],
    [{}, 'by'],
    [{ by: '' }, 'by'],
    [{ by: 'a b' }, 'by'],
    [{ by: 'w1' }, 'verdict'],
    [{ by: 'w1', verdict: 'maybe' }, 'verdict'],
    [{ by: 'w1', verdict: 'rejected' }, 'reason'],
    [{ by: 'w1', verdict: 'rejected', reason: 'ugly' }, 'reason'],
    [{ by: 'w1', verdict: 'confirmed', reason: 'duplicate' }, 'reason'],
    [{ by: 'w1', verdict: 'rejected', reason: 'duplicate', correctType: 'fire_smoke' }, 'correctType'],
    [{ by: 'w1', verdict: 'rejected', reason: 'wrong_event_type', correctType: 'unicorn' }, 'correctType'],
    [{ by: 'w1', verdict: 'confirmed', note: 5 }, 'note'],
    [{ by: 'w1', verdict: 'confirmed', reasn: 'x' }, 'reasn'],
  ])('verdict body %j is a 400 naming %s', (body, field) => {
    expect(fieldOf(() => parseVerdict(body, known))).toBe(field);
  });

  it('parses list queries and names bad parameters', () => {
    expect(parseListQuery({})).toEqual({ limit: 50 });
    expect(parseListQuery({ status: 'pending', grid: 'g1', type: 'fire_smoke', camera: 'cam-1', limit: '5', order: 'desc', other: 'ignored' })).toEqual({
      status: 'pending',
      grid: 'g1',
      type: 'fire_smoke',
      camera: 'cam-1',
      limit: 5,
      order: 'desc',
    });
    expect(fieldOf(() => parseListQuery({ status: 'lost' }))).toBe('status');
    expect(fieldOf(() => parseListQuery({ limit: '0' }))).toBe('limit');
    expect(fieldOf(() => parseListQuery({ limit: '2.5' }))).toBe('limit');
    expect(fieldOf(() => parseListQuery({ cursor: 'abc' }))).toBe('cursor');
    expect(fieldOf(() => parseListQuery({ grid: ['a', 'b'] }))).toBe('grid');
    expect(fieldOf(() => parseListQuery({ order: 'up' }))).toBe('order');
  });
});
