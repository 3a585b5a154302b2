import { describe, expect, it } from 'vitest';
import type { CaseRecord } from '../cases/case-model.ts';
import { modelNamed, shadowStanding } from './shadow-standing.ts';

let n = 0;
/** A case with only what the comparison reads. */
function kase(cameraId: string, model: string, shadow: boolean, verdict?: 'confirmed' | 'rejected'): CaseRecord {
  return {
    id: `c${++n}`,
    cameraId,
    model,
    ...(shadow ? { shadow: true } : {}),
    ...(verdict ? { verdict: { verdict, by: 'w', at: 1, ...(verdict === 'rejected' ? { reason: 'false_detection' as const } : {}) } } : {}),
  } as CaseRecord;
}

const candidate = { model: 'fire-v2', replaces: 'fire-v1', cameras: ['a', 'b'], precisionTarget: 0.8 };

describe('shadowStanding', () => {
  it('compares the candidate\'s shadow cases with the replaced model\'s on the same cameras only', () => {
    const cases = [
      ...Array.from({ length: 18 }, () => kase('a', 'fire-v2@1.0.0', true, 'confirmed')),
      kase('b', 'fire-v2@1.0.0', true, 'rejected'),
      kase('b', 'fire-v2@1.0.0', true),
      kase('z', 'fire-v2@1.0.0', true, 'rejected'), // another camera: not counted
      kase('a', 'coco@1.0.0+fire-v1@1.0.0', false, 'confirmed'),
      kase('a', 'fire-v1@1.0.0', false, 'rejected'),
      kase('b', 'coco@1.0.0', false, 'rejected'), // not the replaced model
    ];
    const s = shadowStanding(candidate, cases, null);
    expect(s.candidate).toMatchObject({ cases: 20, verified: 19, confirmed: 18, rejected: 1 });
    expect(s.active).toMatchObject({ key: 'fire-v1', cases: 2, verified: 2, confirmed: 1, precision: 0.5 });
    // 18 of 19: precision 0.947, 95 % Wilson lower bound 0.754 < 0.8: not ready yet.
    expect(s.candidate.ci95!.lo).toBeCloseTo(0.754, 3);
    expect(s.ready).toBe(false);
    const more = [...cases, ...Array.from({ length: 12 }, () => kase('b', 'fire-v2@1.0.0', true, 'confirmed'))];
    // 30 of 31: lower bound 0.838 >= 0.8.
    const after = shadowStanding(candidate, more, { model: 'fire-v2', at: 5, by: 'system' });
    expect(after.candidate.ci95!.lo).toBeCloseTo(0.838, 3);
    expect(after).toMatchObject({ ready: true, promoted: { by: 'system' } });
  });

  it('without `replaces` every active model on the cameras is the yardstick', () => {
    const s = shadowStanding({ ...candidate, replaces: undefined }, [kase('a', 'coco@1', false, 'confirmed'), kase('a', 'fire-v1@1', false, 'rejected')], null);
    expect(s).toMatchObject({ replaces: null, active: { key: 'active', verified: 2, confirmed: 1 }, candidate: { cases: 0, verified: 0, precision: null }, ready: false });
  });

  it('matches card ids inside "a@1+b@2" model strings, not prefixes', () => {
    expect(modelNamed('coco@1.0.0+fire-v1@1.0.0', 'fire-v1')).toBe(true);
    expect(modelNamed('fire-v10@1.0.0', 'fire-v1')).toBe(false);
  });
});
