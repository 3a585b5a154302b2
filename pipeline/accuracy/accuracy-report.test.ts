import { describe, expect, it } from 'vitest';
import { AccuracyOptionError } from './accuracy-errors.ts';
import { accuracyReport } from './accuracy-report.ts';
import { DAY, SECOND, T0, confirmedAt, makeCase, rejectedAt } from './case-fixture.ts';

// Eight verified cases and one awaiting a verdict. C = confirmed, R = rejected.
//   id  type             camera model conf  opened (Shanghai)   verdict                      time to verdict
//   p1  illegal_parking  cam-A  m@1   0.95  05-01 10:00         C                            60 s
//   p2  illegal_parking  cam-A  m@1   0.92  05-01 10:00         C (dispatched +10 s)         120 s from dispatch
//   p3  illegal_parking  cam-A  m@1   0.75  05-01 10:00         C                            180 s
//   r1  illegal_parking  cam-A  m@1   0.25  05-01 10:00         R (no reason)                30 s
//   p4  illegal_parking  cam-B  m@2   0.65  05-02 10:00         R false_detection            240 s
//   p5  illegal_parking  cam-B  m@2   0.55  05-02 10:00         C                            300 s
//   v1  street_vending   cam-B  m@2   0.45  05-02 10:00         R wrong_event_type -> garbage 600 s
//   v2  street_vending   cam-B  m@2   0.35  05-02 01:00 (= 05-01 17:00 UTC)  R not_a_violation  1200 s
//   o1  street_vending   cam-A  m@1   0.60  05-02 10:00         (awaiting)
const NOW = T0 + 2 * DAY;
const V2_OPENED = Date.UTC(2024, 4, 1, 17, 0);
const at = (opened: number, s: number) => opened + s * SECOND;
const cases = [
  makeCase('p1', { confidence: 0.95, verdict: confirmedAt(at(T0, 60)) }),
  makeCase('p2', { confidence: 0.92, dispatchedAt: at(T0, 10), verdict: confirmedAt(at(T0, 130)) }),
  makeCase('p3', { confidence: 0.75, verdict: confirmedAt(at(T0, 180)) }),
  makeCase('r1', { confidence: 0.25, verdict: rejectedAt(at(T0, 30)) }),
  makeCase('p4', { cameraId: 'cam-B', model: 'm@2', confidence: 0.65, openedAt: T0 + DAY, verdict: rejectedAt(at(T0 + DAY, 240), 'false_detection') }),
  makeCase('p5', { cameraId: 'cam-B', model: 'm@2', confidence: 0.55, openedAt: T0 + DAY, verdict: confirmedAt(at(T0 + DAY, 300)) }),
  makeCase('v1', {
    eventType: 'street_vending', cameraId: 'cam-B', model: 'm@2', confidence: 0.45, openedAt: T0 + DAY,
    verdict: rejectedAt(at(T0 + DAY, 600), 'wrong_event_type', 'garbage_overflow'),
  }),
  makeCase('v2', {
    eventType: 'street_vending', cameraId: 'cam-B', model: 'm@2', confidence: 0.35, openedAt: V2_OPENED,
    verdict: rejectedAt(at(V2_OPENED, 1200), 'not_a_violation'),
  }),
  makeCase('o1', { eventType: 'street_vending', confidence: 0.6, openedAt: T0 + DAY }),
];
const report = (extra: Parameters<typeof accuracyReport>[1] = {}) => accuracyReport(cases, { timezone: 'Asia/Shanghai', now: NOW, ...extra });

describe('accuracyReport', () => {
  it('counts only verified cases; overall 4 of 8 with its Wilson interval', () => {
    const r = report();
    expect(r).toMatchObject({ cases: 9, verified: 8, awaitingVerdict: 1, oldestAwaitingMs: DAY, generatedAt: NOW, targetPrecision: 0.8, since: null });
    // 4/8: centre 0.5, half = (1.95996 / 1.48019) * sqrt(0.25 / 8 + 3.8415 / 256) = 1.32413 * 0.21507 = 0.28478.
    expect(r.overall).toMatchObject({ key: 'all', verified: 8, confirmed: 4, rejected: 4, precision: 0.5, meetsTarget: false, confidentlyAboveTarget: false });
    expect(r.overall.ci95!.lo).toBeCloseTo(0.2152, 4);
    expect(r.overall.ci95!.hi).toBeCloseTo(0.7848, 4);
    expect(r.overall.rejectedBy).toEqual({ unspecified: 1, false_detection: 1, wrong_event_type: 1, not_a_violation: 1 });
  });

  it("keeps shadow candidates' cases out of every total and counts them apart", () => {
    const shadow = [
      makeCase('s1', { model: 'cand@1', confidence: 0.9, openedAt: T0, shadow: true, verdict: rejectedAt(at(T0, 60), 'false_detection') }),
      makeCase('s2', { model: 'cand@1', confidence: 0.9, openedAt: T0, shadow: true }),
    ];
    const r = accuracyReport([...cases, ...shadow], { timezone: 'Asia/Shanghai', now: NOW });
    const plain = report();
    expect(r).toMatchObject({ cases: 9, verified: 8, awaitingVerdict: 1, shadow: { cases: 2, verified: 1 } });
    expect(plain.shadow).toEqual({ cases: 0, verified: 0 });
    expect(r.overall).toEqual(plain.overall);
    expect(r.byModel.map((g) => g.key)).not.toContain('cand@1');
  });

  it('groups by event type, camera and model; a wrong-type rejection is false for the AI type', () => {
    const r = report();
    expect(r.byEventType.map((g) => [g.key, g.verified, g.confirmed])).toEqual([['illegal_parking', 6, 4], ['street_vending', 2, 0]]);
    expect(r.byEventType[1]).toMatchObject({ precision: 0, rejectedBy: { wrong_event_type: 1, not_a_violation: 1 } });
    // Equal counts sort by key.
    expect(r.byCamera.map((g) => [g.key, g.verified, g.confirmed, g.precision])).toEqual([['cam-A', 4, 3, 0.75], ['cam-B', 4, 1, 0.25]]);
    expect(r.byModel.map((g) => [g.key, g.confirmed, g.verified])).toEqual([['m@1', 3, 4], ['m@2', 1, 4]]);
    expect(r.confusion).toEqual([{ aiType: 'street_vending', correctType: 'garbage_overflow', count: 1 }]);
  });

  it('says "meets" on the point estimate and "confidently above" only when the interval clears the target', () => {
    // 4/5 = 0.8 reaches 0.8, but its interval [0.3755, 0.9638] does not clear it.
    const r = accuracyReport(cases.filter((c) => c.eventType === 'illegal_parking' && c.id !== 'r1'), { timezone: 'UTC', now: NOW });
    expect(r.overall).toMatchObject({ precision: 0.8, meetsTarget: true, confidentlyAboveTarget: false });
    expect(r.overall.ci95!.lo).toBeCloseTo(0.3755, 4);
    expect(r.overall.ci95!.hi).toBeCloseTo(0.9638, 4);
    // 3/3: lo = 3 / (3 + 3.8415) = 0.4385, confidently above a target of 0.4.
    const three = accuracyReport(cases.slice(0, 3), { timezone: 'UTC', now: NOW, targetPrecision: 0.4 });
    expect(three.overall.ci95!.lo).toBeCloseTo(0.4385, 4);
    expect(three.overall.confidentlyAboveTarget).toBe(true);
  });

  it('bins by confidence: below the first edge, half-open bins, the top bin closed', () => {
    const bins = report().byConfidence.map((b) => [b.key, b.from, b.to, b.confirmed, b.verified]);
    expect(bins).toEqual([
      ['<0.30', 0, 0.3, 0, 1], // r1
      ['0.30-0.40', 0.3, 0.4, 0, 1], // v2
      ['0.40-0.50', 0.4, 0.5, 0, 1], // v1
      ['0.50-0.60', 0.5, 0.6, 1, 1], // p5
      ['0.60-0.70', 0.6, 0.7, 0, 1], // p4
      ['0.70-0.80', 0.7, 0.8, 1, 1], // p3
      ['0.90-1.00', 0.9, 1, 2, 2], // p1, p2
    ]);
  });

  it('dates each case by its local opening day', () => {
    // Shanghai: v2 (17:00 UTC) is already 05-02. p1 p2 p3 r1 on 05-01: 3/4; p4 p5 v1 v2 on 05-02: 1/4.
    expect(report().byDay.map((d) => [d.key, d.confirmed, d.verified])).toEqual([['2024-05-01', 3, 4], ['2024-05-02', 1, 4]]);
    // UTC: v2 stays on 05-01: 3/5 and 1/3.
    expect(report({ timezone: 'UTC' }).byDay.map((d) => [d.key, d.confirmed, d.verified])).toEqual([['2024-05-01', 3, 5], ['2024-05-02', 1, 3]]);
  });

  it('measures time to verdict from dispatch when dispatched, else from opening', () => {
    // Sorted seconds: 30 60 120 180 240 300 600 1200. Median (180+240)/2 = 210;
    // p90 at position 7 * 0.9 = 6.3: 600 + 0.3 * 600 = 780; max 1200.
    const t = report().timeToVerdict;
    expect(t.overall).toEqual({ count: 8, medianMs: 210_000, p90Ms: expect.closeTo(780_000, 6), maxMs: 1_200_000 });
    // illegal_parking: 30 60 120 180 240 300 -> median 150, p90 at 4.5 -> 270; street_vending: 600 1200 -> 900, 1140.
    expect(t.byEventType).toEqual([
      { eventType: 'illegal_parking', count: 6, medianMs: 150_000, p90Ms: expect.closeTo(270_000, 6), maxMs: 300_000 },
      { eventType: 'street_vending', count: 2, medianMs: 900_000, p90Ms: expect.closeTo(1_140_000, 6), maxMs: 1_200_000 },
    ]);
  });

  it('finds the lowest threshold per type that reaches the target, and the true hits below it', () => {
    // illegal_parking by confidence: .95 C, .92 C, .75 C, .65 R, .55 C, .25 R.
    // Kept precision at each cut: 1/1, 2/2, 3/3, 3/4, 4/5 = 0.8, 4/6. Lowest reaching 0.8: 0.55, nothing lost.
    const [parking, vending] = report().thresholds;
    expect(parking).toMatchObject({ eventType: 'illegal_parking', reachable: true, threshold: 0.55, precision: 0.8, keptVerified: 5, keptConfirmed: 4, lostConfirmed: 0, lostShare: 0 });
    expect(parking!.precisionAll).toBeCloseTo(4 / 6, 10);
    // Target 0.9: 0.65 gives 3/4; the lowest reaching is 0.75 (3/3), losing p5: 1 of 4 confirmed.
    expect(report({ targetPrecision: 0.9 }).thresholds[0]).toMatchObject({ threshold: 0.75, precision: 1, lostConfirmed: 1, lostShare: 0.25 });
    // street_vending has no confirmed hit at all.
    expect(vending).toEqual({ eventType: 'street_vending', verified: 2, confirmed: 0, precisionAll: 0, reachable: false, bestPrecision: 0 });
  });

  it('keeps tied confidences together when scanning thresholds', () => {
    // .9 C, .9 R, .8 C: cuts are 0.9 -> 1/2 and 0.8 -> 2/3, never 1/1 at 0.9.
    const tied = [
      makeCase('a', { confidence: 0.9, verdict: confirmedAt(T0) }),
      makeCase('b', { confidence: 0.9, verdict: rejectedAt(T0, 'false_detection') }),
      makeCase('c', { confidence: 0.8, verdict: confirmedAt(T0) }),
    ];
    expect(accuracyReport(tied, { targetPrecision: 0.6, timezone: 'UTC' }).thresholds[0]).toMatchObject({ reachable: true, threshold: 0.8, lostConfirmed: 0 });
    const none = accuracyReport(tied, { targetPrecision: 0.7, timezone: 'UTC' }).thresholds[0];
    expect(none).toMatchObject({ reachable: false });
    expect(none?.reachable === false && none.bestPrecision).toBeCloseTo(2 / 3, 10);
  });

  it('reads only cases opened since the given instant', () => {
    // Since 05-02 01:00 UTC: p4 p5 v1 and o1 (v2 opened 05-01 17:00 UTC is out).
    const r = report({ since: T0 + 23 * 3600 * SECOND });
    expect(r).toMatchObject({ cases: 4, verified: 3, awaitingVerdict: 1, since: T0 + 23 * 3600 * SECOND });
    expect(r.overall).toMatchObject({ confirmed: 1, verified: 3 });
  });

  it('answers an empty list with null numbers, and rejects bad options naming them', () => {
    const r = accuracyReport([], { timezone: 'UTC', now: NOW });
    expect(r.overall).toMatchObject({ verified: 0, precision: null, ci95: null, meetsTarget: false, confidentlyAboveTarget: false });
    expect(r.timeToVerdict.overall).toEqual({ count: 0, medianMs: null, p90Ms: null, maxMs: null });
    expect(r.oldestAwaitingMs).toBeNull();
    expect(() => accuracyReport([], { targetPrecision: 1.5 })).toThrow(expect.objectContaining({ field: 'target' }));
    expect(() => accuracyReport([], { timezone: 'Mars/Olympus' })).toThrow(AccuracyOptionError);
    expect(() => accuracyReport([], { binEdges: [0.5, 0.4] })).toThrow(expect.objectContaining({ field: 'binEdges' }));
  });
});
