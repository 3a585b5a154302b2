import { describe, expect, it } from 'vitest';
import { ApiError } from './api-errors.ts';
import { parseBreak, parseClose, parseEscalate, parseHandle, parseListQuery, parseNoFields, parseReassign, parseVerdict } from './case-requests.ts';

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
    expect(parseNoFields(undefined)).toBeUndefined();
    expect(parseNoFields({})).toBeUndefined();
    expect(parseHandle({ note: 'towed' })).toEqual({ note: 'towed' });
    expect(parseHandle(undefined)).toEqual({});
    expect(parseHandle({ photoJpegBase64: Buffer.from([0xff, 0xd8, 0xff, 0xe0]).toString('base64') }).photo?.length).toBe(4);
    expect(fieldOf(() => parseHandle({ photoJpegBase64: Buffer.from('GIF89a').toString('base64') }))).toBe('photoJpegBase64');
    expect(fieldOf(() => parseHandle({ photoJpegBase64: 'not base64!' }))).toBe('photoJpegBase64');
    expect(parseEscalate({ toLevel: 'street_office', reason: 'big' })).toEqual({ toLevel: 'street_office', reason: 'big' });
    expect(fieldOf(() => parseEscalate({ toLevel: 'city' }))).toBe('toLevel');
    expect(parseBreak({ reason: 'shift over' })).toEqual({ reason: 'shift over' });
    expect(parseVerdict({ verdict: 'confirmed' }, known)).toEqual({ verdict: 'confirmed' });
    expect(parseVerdict({ verdict: 'rejected', reason: 'wrong_event_type', correctType: 'fire_smoke', note: 'smoke' }, known)).toEqual({
      verdict: 'rejected',
      reason: 'wrong_event_type',
      correctType: 'fire_smoke',
      note: 'smoke',
    });
  });

  it.each([
    [undefined, 'body'],
    [[], 'body'],
    [{}, 'verdict'],
    [{ by: 'w1', verdict: 'confirmed' }, 'by'],
    [{ by: 'system', verdict: 'confirmed' }, 'by'],
    [{ verdict: 'maybe' }, 'verdict'],
    [{ verdict: 'rejected' }, 'reason'],
    [{ verdict: 'rejected', reason: 'ugly' }, 'reason'],
    [{ verdict: 'confirmed', reason: 'duplicate' }, 'reason'],
    [{ verdict: 'rejected', reason: 'duplicate', correctType: 'fire_smoke' }, 'correctType'],
    [{ verdict: 'rejected', reason: 'wrong_event_type', correctType: 'unicorn' }, 'correctType'],
    [{ verdict: 'confirmed', note: 5 }, 'note'],
    [{ verdict: 'confirmed', reasn: 'x' }, 'reasn'],
  ])('verdict body %j is a 400 naming %s', (body, field) => {
    expect(fieldOf(() => parseVerdict(body, known))).toBe(field);
  });

  it('refuses a stated actor on every write body: identity comes from the session or token', () => {
    expect(fieldOf(() => parseNoFields({ by: 'w2' }))).toBe('by');
    expect(fieldOf(() => parseHandle({ by: 'w2', note: 'done' }))).toBe('by');
    expect(fieldOf(() => parseEscalate({ by: 'w2' }))).toBe('by');
    expect(fieldOf(() => parseBreak({ by: 'w2' }))).toBe('by');
    expect(fieldOf(() => parseNoFields({ x: 1 }))).toBe('x');
  });

  it('parses list queries and names bad parameters', () => {
    expect(parseListQuery({})).toEqual({ limit: 50 });
    expect(parseListQuery({ status: 'pending', grid: 'g1', type: 'fire_smoke', camera: 'cam-1', limit: '5', order: 'desc' })).toEqual({
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
    // Unknown filters are refused, not ignored (an ignored cameraId answered every camera's cases).
    expect(fieldOf(() => parseListQuery({ other: 'x' }))).toBe('other');
    expect(fieldOf(() => parseListQuery({ cameraId: 'cam-1' }))).toBe('cameraId');
    expect(() => parseListQuery({ eventType: 'fire_smoke' })).toThrow(/use "type"/);
  });

  it('parses the operator bodies: reassign needs a unit, close a reason of 1-500 characters', () => {
    expect(parseReassign({ unit: '市场管理处', reason: 'market stall' })).toEqual({ unit: '市场管理处', reason: 'market stall' });
    expect(parseReassign({ unit: 'X' })).toEqual({ unit: 'X' });
    for (const bad of [{}, { unit: '' }, { unit: ' ' }, { unit: 3 }, { unit: 'x'.repeat(201) }]) expect(fieldOf(() => parseReassign(bad))).toBe('unit');
    expect(fieldOf(() => parseReassign({ unit: 'X', to: 'Y' }))).toBe('to');
    expect(parseClose({ reason: 'r', note: 'n' })).toEqual({ reason: 'r', note: 'n' });
    expect(parseClose({ reason: 'x'.repeat(500) }).reason).toHaveLength(500);
    for (const bad of [{}, { reason: '' }, { reason: '  ' }, { reason: 'x'.repeat(501) }, { reason: null }]) expect(fieldOf(() => parseClose(bad))).toBe('reason');
    expect(fieldOf(() => parseClose({ reason: 'r', by: 'op' }))).toBe('by');
    expect(fieldOf(() => parseClose(undefined))).toBe('reason');
  });
});
