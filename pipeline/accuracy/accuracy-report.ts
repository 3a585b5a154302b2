import type { CaseRecord } from '../cases/case-model.ts';
import { isValidTimeZone, systemTimeZone } from '../patrol/zoned-time.ts';
import { AccuracyOptionError } from './accuracy-errors.ts';
import type { AccuracyReport, ConfidenceBinPrecision } from './accuracy-types.ts';
import { DEFAULT_BIN_EDGES, binOf, checkBinEdges } from './confidence-bins.ts';
import { groupBy, groupPrecision, precisionBy } from './group-precision.ts';
import { localDate } from './local-day.ts';
import { DEFAULT_OUTLIER_MIN_VERIFIED, outlierCameras } from './outlier-cameras.ts';
import { thresholdsByType } from './score-threshold.ts';
import { timeToVerdict } from './time-to-verdict.ts';
import { typeConfusion } from './type-confusion.ts';
import { isVerified, type VerifiedCase } from './verified-case.ts';

/** Default precision the district wants from the AI: 0.8 (right more than 80 % of the time). */
export const DEFAULT_TARGET_PRECISION = 0.8;

/** Options of {@link accuracyReport}. */
export interface AccuracyOptions {
  /** Precision to judge against, 0-1. Default 0.8. */
  readonly targetPrecision?: number;
  /** Confidence bin edges, increasing, 0-1. Default [0.3, 0.4, ..., 0.9, 1.0]. */
  readonly binEdges?: readonly number[];
  /** IANA zone of the per-day dates. Default the system's zone. */
  readonly timezone?: string;
  /** Epoch ms "now", for the report stamp and the age of cases awaiting a verdict. Default Date.now(). */
  readonly now?: number;
  /** Count only cases opened at or after this epoch ms. Default all. */
  readonly since?: number;
  /** Verified cases a camera needs before it can be called an outlier. Default 5. */
  readonly outlierMinVerified?: number;
}

function checkOptions(target: number, timezone: string, minVerified: number): void {
  if (!Number.isFinite(target) || target < 0 || target > 1) throw new AccuracyOptionError('target', `must be a number from 0 to 1, got ${target}`);
  if (!isValidTimeZone(timezone)) throw new AccuracyOptionError('timezone', `"${timezone}" is not an IANA time zone`);
  if (!Number.isInteger(minVerified) || minVerified < 1) throw new AccuracyOptionError('outlierMinVerified', `must be an integer >= 1, got ${minVerified}`);
}

function byConfidence(cases: readonly VerifiedCase[], edges: readonly number[], target: number): ConfidenceBinPrecision[] {
  return [...groupBy(cases, (c) => binOf(c.confidence, edges).key)]
    .map(([key, list]) => {
      const { from, to } = binOf(list[0]!.confidence, edges);
      return { ...groupPrecision(key, list, target), from, to };
    })
    .sort((a, b) => a.from - b.from);
}

/**
 * The accuracy of the AI's hits as the grid workers judged them. Pure: cases in, report out.
 *
 * Only cases with a verdict count; precision = confirmed / verified, with a 95 % Wilson interval,
 * overall and per event type, camera, model ("id@version"), confidence bin (of the case's best
 * confidence) and day. Every rejection counts as a false hit for the AI's type, whatever the
 * reason (a wrong event type included); `confusion` says what wrong-type hits really were.
 * A case's day is the local date it was *opened*, not verified: the day the AI made the hit, under
 * that day's model, light and weather, and a case keeps its day however long the verdict takes.
 * `since` filters on the opening time for the same reason.
 * @throws AccuracyOptionError naming the option that is out of range.
 */
export function accuracyReport(cases: readonly CaseRecord[], options: AccuracyOptions = {}): AccuracyReport {
  const target = options.targetPrecision ?? DEFAULT_TARGET_PRECISION;
  const edges = options.binEdges ?? DEFAULT_BIN_EDGES;
  const timezone = options.timezone ?? systemTimeZone();
  const now = options.now ?? Date.now();
  const minVerified = options.outlierMinVerified ?? DEFAULT_OUTLIER_MIN_VERIFIED;
  checkOptions(target, timezone, minVerified);
  checkBinEdges(edges);

  const since = options.since === undefined ? cases : cases.filter((c) => c.openedAt >= options.since!);
  // A shadow candidate's cases are not the deployed models' hits: counted apart, compared per candidate by GET /api/accuracy/shadow.
  const read = since.filter((c) => c.shadow !== true);
  const shadow = since.filter((c) => c.shadow === true);
  const verified = read.filter(isVerified);
  const awaiting = read.filter((c) => !isVerified(c));
  return {
    generatedAt: now,
    timezone,
    targetPrecision: target,
    since: options.since ?? null,
    cases: read.length,
    verified: verified.length,
    awaitingVerdict: awaiting.length,
    shadow: { cases: shadow.length, verified: shadow.filter(isVerified).length },
    oldestAwaitingMs: awaiting.length ? Math.max(0, now - awaiting.reduce((m, c) => Math.min(m, c.openedAt), Infinity)) : null,
    overall: groupPrecision('all', verified, target),
    byEventType: precisionBy(verified, (c) => c.eventType, target),
    byCamera: precisionBy(verified, (c) => c.cameraId, target),
    byModel: precisionBy(verified, (c) => c.model, target),
    byConfidence: byConfidence(verified, edges, target),
    byDay: precisionBy(verified, (c) => localDate(c.openedAt, timezone), target).sort((a, b) => a.key.localeCompare(b.key)),
    timeToVerdict: timeToVerdict(verified),
    thresholds: thresholdsByType(verified, target),
    outlierCameras: outlierCameras(verified, minVerified),
    confusion: typeConfusion(verified),
  };
}
