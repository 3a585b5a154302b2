import { describe, expect, it } from 'vitest';
import { type VisitPlan, assertVisitPlan } from './visit-plan.ts';

const good: VisitPlan = { frames: 3, spacingMs: 500, outWidth: 640, outHeight: 640, evidence: true, timeouts: { connectMs: 3000, firstFrameMs: 8000, visitMs: 15000 } };

describe('assertVisitPlan', () => {
  it('accepts a sound plan and source-size output', () => {
    expect(() => assertVisitPlan(good)).not.toThrow();
    expect(() => assertVisitPlan({ ...good, outWidth: 0, outHeight: 0, spacingMs: 0 })).not.toThrow();
  });
  it.each([
    { over: { frames: 0 }, field: 'frames' },
    { over: { frames: 1.5 }, field: 'frames' },
    { over: { spacingMs: -1 }, field: 'spacingMs' },
    { over: { outWidth: -2 }, field: 'outWidth' },
    { over: { outHeight: 20000 }, field: 'outHeight' },
    { over: { timeouts: { ...good.timeouts, connectMs: 0 } }, field: 'timeouts.connectMs' },
    { over: { timeouts: { ...good.timeouts, visitMs: Number.NaN } }, field: 'timeouts.visitMs' },
  ])('rejects bad $field', ({ over, field }) => {
    expect(() => assertVisitPlan({ ...good, ...over } as VisitPlan)).toThrow(new RegExp(`visit plan: ${field.replace('.', '\\.')} must be`));
  });
});
