import type { OutlierCamera } from './accuracy-types.ts';
import { groupBy } from './group-precision.ts';
import { wilsonInterval } from './precision.ts';
import { isConfirmed, type VerifiedCase } from './verified-case.ts';

/** Default minimum verified cases before a camera can be called an outlier. */
export const DEFAULT_OUTLIER_MIN_VERIFIED = 5;

/**
 * Cameras whose precision is far below their peers'. A camera with at least `minVerified`
 * verified cases is an outlier when the upper end of its 95 % Wilson interval is below the pooled
 * precision of all the other cameras (their confirmed / their verified). That is a one-sided test
 * at about the 2.5 % level that the camera is worse than the rest; no correction is made for
 * testing many cameras, so with hundreds of cameras expect an occasional false alarm and read the
 * list as "look at these first". Worst gap first.
 */
export function outlierCameras(cases: readonly VerifiedCase[], minVerified = DEFAULT_OUTLIER_MIN_VERIFIED): OutlierCamera[] {
  const totalVerified = cases.length;
  const totalConfirmed = cases.filter(isConfirmed).length;
  const out: OutlierCamera[] = [];
  for (const [cameraId, list] of groupBy(cases, (c) => c.cameraId)) {
    if (list.length < minVerified) continue;
    const confirmed = list.filter(isConfirmed).length;
    const peersVerified = totalVerified - list.length;
    if (peersVerified === 0) continue;
    const peersPrecision = (totalConfirmed - confirmed) / peersVerified;
    const ci95 = wilsonInterval(confirmed, list.length)!;
    if (ci95.hi < peersPrecision) {
      out.push({ cameraId, verified: list.length, confirmed, precision: confirmed / list.length, ci95, peersPrecision, peersVerified });
    }
  }
  return out.sort((a, b) => b.peersPrecision - b.precision - (a.peersPrecision - a.precision) || a.cameraId.localeCompare(b.cameraId));
}
