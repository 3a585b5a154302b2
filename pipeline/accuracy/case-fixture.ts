/**
 * Test helper: small hand-made cases for the accuracy tests. Only the fields accuracy and export
 * read vary; the rest are fixed, plausible values.
 */
import type { CaseRecord, RejectReason, Verdict } from '../cases/case-model.ts';

/** 2024-05-01 02:00 UTC = 10:00 in Asia/Shanghai. */
export const T0 = Date.UTC(2024, 4, 1, 2, 0);
/** One second / one day in ms. */
export const SECOND = 1000;
export const DAY = 86_400_000;

type Writable<T> = { -readonly [K in keyof T]?: T[K] };

/** A confirmed verdict at `at`. */
export const confirmedAt = (at: number): Verdict => ({ verdict: 'confirmed', by: 'worker-1', at });

/** A rejected verdict at `at` (reason optional to model old records without one). */
export const rejectedAt = (at: number, reason?: RejectReason, correctType?: string): Verdict => ({
  verdict: 'rejected',
  by: 'worker-1',
  at,
  ...(reason ? { reason } : {}),
  ...(correctType ? { correctType } : {}),
});

/** A case with defaults (illegal_parking on cam-A, model m@1, confidence 0.9, opened at T0, no verdict). */
export function makeCase(id: string, over: Writable<CaseRecord> = {}): CaseRecord {
  return {
    id,
    eventType: 'illegal_parking',
    category: 'A01-03',
    severity: 'medium',
    cameraId: 'cam-A',
    grid: 'g1',
    areaType: 'road',
    zone: null,
    version: 1,
    ruleId: 'parking',
    firstSeenAt: T0,
    level: 'community',
    reopenCount: 0,
    suppressed: 0,
    status: over.verdict ? (over.verdict.verdict === 'confirmed' ? 'accepted' : 'rejected') : 'opened',
    openedAt: T0,
    lastSeenAt: T0,
    count: 1,
    confidence: 0.9,
    boxes: [{ label: 'car', score: 0.9, box: [0.1, 0.2, 0.5, 0.6] }],
    place: [0.1, 0.2, 0.5, 0.6],
    model: 'm@1',
    evidence: { first: `${id}-first.jpg`, latest: `${id}-latest.jpg`, best: `${id}-best.jpg` },
    deadline: T0 + DAY,
    responsibleUnit: 'traffic',
    ...over,
  };
}
