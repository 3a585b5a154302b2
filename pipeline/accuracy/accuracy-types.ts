/**
 * What `accuracyReport` returns: how often the AI's hits were right, judged by the grid workers'
 * verdicts, overall and per group, with 95 % Wilson intervals. Plain data (JSON as it is): the
 * API returns it, `gridworker accuracy --json` prints it.
 */
import type { RejectReason } from '../cases/case-model.ts';
import type { Interval } from './precision.ts';

/** A rejection reason, or `unspecified` for a rejection recorded without one. */
export type RejectBucket = RejectReason | 'unspecified';

/** Precision of one group of verified cases (one event type, one camera, ...). */
export interface GroupPrecision {
  /** The group's value: an event type id, camera id, "model@version", bin label or local date. */
  readonly key: string;
  /** Cases with a verdict. */
  readonly verified: number;
  readonly confirmed: number;
  readonly rejected: number;
  /** confirmed / verified; null when nothing is verified. */
  readonly precision: number | null;
  /** 95 % Wilson interval of the precision; null when nothing is verified. */
  readonly ci95: Interval | null;
  /** The point estimate reaches the target: precision >= target. */
  readonly meetsTarget: boolean;
  /** Confidently above the target: the interval's lower end >= target. */
  readonly confidentlyAboveTarget: boolean;
  /** Rejections by reason (reasons with no rejection are left out). */
  readonly rejectedBy: Readonly<Partial<Record<RejectBucket, number>>>;
}

/** Precision of one confidence bin [from, to) (the last bin includes its upper edge). */
export interface ConfidenceBinPrecision extends GroupPrecision {
  /** Lower edge, inclusive; 0 for the bin below the first edge. */
  readonly from: number;
  /** Upper edge, exclusive except for the last bin. */
  readonly to: number;
}

/** Summary of durations in milliseconds; the numbers are null when count is 0. */
export interface DurationSummary {
  readonly count: number;
  readonly medianMs: number | null;
  readonly p90Ms: number | null;
  readonly maxMs: number | null;
}

/** Time to verdict of one event type. */
export interface EventTypeDurations extends DurationSummary {
  readonly eventType: string;
}

/** Fields every threshold answer has. */
interface ThresholdBase {
  readonly eventType: string;
  readonly verified: number;
  readonly confirmed: number;
  /** Precision with no threshold (all verified cases of the type). */
  readonly precisionAll: number | null;
}

/**
 * The lowest case-confidence threshold at which an event type reaches the target precision, and
 * what it costs: confirmed hits below it would never have been raised.
 */
export interface ThresholdReached extends ThresholdBase {
  readonly reachable: true;
  /** Keep cases with confidence >= threshold (one of the observed confidences). */
  readonly threshold: number;
  /** Precision of the kept cases. */
  readonly precision: number;
  readonly ci95: Interval;
  readonly keptVerified: number;
  readonly keptConfirmed: number;
  /** Confirmed cases below the threshold: true hits that would have been lost. */
  readonly lostConfirmed: number;
  /** lostConfirmed / confirmed (0-1). */
  readonly lostShare: number;
}

/** No threshold reaches the target (or nothing was confirmed). */
export interface ThresholdNotReachable extends ThresholdBase {
  readonly reachable: false;
  /** Best precision over all thresholds; null when nothing is verified. */
  readonly bestPrecision: number | null;
}

/** Threshold advice for one event type. */
export type ThresholdAdvice = ThresholdReached | ThresholdNotReachable;

/** A camera whose precision is well below that of the other cameras. */
export interface OutlierCamera {
  readonly cameraId: string;
  readonly verified: number;
  readonly confirmed: number;
  readonly precision: number;
  readonly ci95: Interval;
  /** Pooled precision of every other camera: their confirmed / their verified. */
  readonly peersPrecision: number;
  readonly peersVerified: number;
}

/** How often grid workers said an AI event type was really another type. */
export interface TypeConfusion {
  /** The type the AI raised. */
  readonly aiType: string;
  /** The type the worker gave; null for a wrong_event_type rejection that named none. */
  readonly correctType: string | null;
  readonly count: number;
}

/** The whole accuracy report. */
export interface AccuracyReport {
  /** Epoch ms the report was made (options.now). */
  readonly generatedAt: number;
  /** IANA zone of the `byDay` dates. */
  readonly timezone: string;
  readonly targetPrecision: number;
  /** Only cases opened at or after this epoch ms were read; null for all. */
  readonly since: number | null;
  /** Cases read (after `since`), verified or not; shadow candidates' cases are not among them (see `shadow`). */
  readonly cases: number;
  /** Cases with a verdict: the only ones the numbers below count. */
  readonly verified: number;
  /** Cases still without a verdict. */
  readonly awaitingVerdict: number;
  /**
   * Shadow candidates' cases (after `since`), kept out of every other number here: they were never
   * dispatched and measure a model not yet deployed. Per candidate: GET /api/accuracy/shadow.
   */
  readonly shadow: { readonly cases: number; readonly verified: number };
  /** Age at `generatedAt` of the oldest case without a verdict, ms; null when none. */
  readonly oldestAwaitingMs: number | null;
  readonly overall: GroupPrecision;
  readonly byEventType: readonly GroupPrecision[];
  readonly byCamera: readonly GroupPrecision[];
  readonly byModel: readonly GroupPrecision[];
  readonly byConfidence: readonly ConfidenceBinPrecision[];
  /** Per local date (YYYY-MM-DD in `timezone`) the case was opened, oldest first. */
  readonly byDay: readonly GroupPrecision[];
  readonly timeToVerdict: { readonly overall: DurationSummary; readonly byEventType: readonly EventTypeDurations[] };
  readonly thresholds: readonly ThresholdAdvice[];
  readonly outlierCameras: readonly OutlierCamera[];
  readonly confusion: readonly TypeConfusion[];
}
