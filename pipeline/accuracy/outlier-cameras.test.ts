import { describe, expect, it } from 'vitest';
import { T0, confirmedAt, makeCase, rejectedAt } from './case-fixture.ts';
import { outlierCameras } from './outlier-cameras.ts';
import { isVerified } from './verified-case.ts';

/** `confirmed` confirmed and `total - confirmed` rejected cases on one camera. */
function camera(cameraId: string, confirmed: number, total: number) {
  return Array.from({ length: total }, (_, i) =>
    makeCase(`${cameraId}-${i}`, { cameraId, verdict: i < confirmed ? confirmedAt(T0) : rejectedAt(T0, 'false_detection') }),
  ).filter(isVerified);
}

describe('outlierCameras', () => {
  it('flags a camera whose interval lies wholly below the pooled precision of the others', () => {
    // X 2/10, Y 9/10, Z 9/10, W 0/3 (too few to judge). Total 20/33.
    // X: peers (20 - 2) / 23 = 0.7826; Wilson 2/10 upper end 0.28326 + 0.22657 = 0.5098 < 0.7826: outlier.
    // Y: peers 11/23 = 0.478; 9/10 is far above. W has only 3 verified.
    const found = outlierCameras([...camera('X', 2, 10), ...camera('Y', 9, 10), ...camera('Z', 9, 10), ...camera('W', 0, 3)]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ cameraId: 'X', verified: 10, confirmed: 2, precision: 0.2, peersVerified: 23 });
    expect(found[0]!.peersPrecision).toBeCloseTo(18 / 23, 10);
    expect(found[0]!.ci95.hi).toBeCloseTo(0.5098, 4);
  });

  it('needs the gap to be clear: a low point estimate with a wide interval is not enough', () => {
    // V 2/5: Wilson upper end 0.44345 + 0.32584 = 0.7693.
    // Peers 18/20 = 0.9 > 0.7693: outlier. Peers 15/20 = 0.75 < 0.7693: not (yet).
    expect(outlierCameras([...camera('V', 2, 5), ...camera('Y', 18, 20)]).map((o) => o.cameraId)).toEqual(['V']);
    expect(outlierCameras([...camera('V', 2, 5), ...camera('Y', 15, 20)])).toEqual([]);
    // With a higher minimum V is not judged at all.
    expect(outlierCameras([...camera('V', 2, 5), ...camera('Y', 18, 20)], 6)).toEqual([]);
  });

  it('has no peers to compare a single camera with', () => {
    expect(outlierCameras(camera('X', 0, 10))).toEqual([]);
  });
});
