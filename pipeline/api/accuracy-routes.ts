import { z } from 'zod';
import { AccuracyOptionError } from '../accuracy/accuracy-errors.ts';
import { type AccuracyOptions, DEFAULT_TARGET_PRECISION, accuracyReport } from '../accuracy/accuracy-report.ts';
import { type CaseSource, collectCases } from '../accuracy/case-source.ts';
import { parseSince } from '../accuracy/since-date.ts';
import type { CaseRecord } from '../cases/case-model.ts';
import { systemTimeZone } from '../patrol/zoned-time.ts';
import { badRequest } from './api-errors.ts';
import { unavailableFor } from './dependency-errors.ts';
import { ApiRoutes } from './api-routes.ts';

/** Options of {@link accuracyRoutes}. */
export interface AccuracyRouteOptions {
  /** IANA zone of the per-day dates and of a `since` date. Default the system's (pass config patrol.timezone). */
  readonly timezone?: string;
  /** Precision used when the request gives no `target`, 0-1. Default 0.8. */
  readonly targetPrecision?: number;
  /** Report options passed through (bin edges, outlier minimum). */
  readonly report?: Pick<AccuracyOptions, 'binEdges' | 'outlierMinVerified'>;
  /** Clock, epoch ms. Default Date.now. */
  readonly now?: () => number;
}

/** Query of GET /api/accuracy. */
export const AccuracyQuery = z.strictObject({
  target: z
    .string()
    .regex(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, 'must be a number from 0 to 1')
    .optional()
    .describe('precision target, 0-1; default 0.8'),
  since: z.string().min(1).max(64).optional().describe('only cases opened since: YYYY-MM-DD (local midnight) or an ISO date-time with offset'),
});

/**
 * /api/accuracy: GET / returns the accuracy report (AccuracyReport JSON) over every case the
 * source has. Query: `target` (0-1, default 0.8), `since` (YYYY-MM-DD local midnight, or an ISO
 * date-time with offset; filters on the opening time). 400 names the bad field; 503 when the
 * source (the case store) cannot be read. Mount with `app.use('/api/accuracy', accuracyRoutes(...))`.
 */
export function accuracyRoutes(source: CaseSource, options: AccuracyRouteOptions = {}): ApiRoutes {
  const r = new ApiRoutes('/api/accuracy', 'accuracy');
  const timezone = options.timezone ?? systemTimeZone();
  const now = options.now ?? Date.now;
  r.get('/', { summary: 'precision of the AI hits over every verified case, overall and per type, camera, model, confidence bin and day', query: AccuracyQuery, responses: { 200: 'the AccuracyReport', 503: 'the case store cannot be read' } }, async ({ query }, _req, res) => {
    const target = query.target === undefined ? (options.targetPrecision ?? DEFAULT_TARGET_PRECISION) : Number(query.target);
    let since: number | undefined;
    try {
      since = query.since === undefined ? undefined : parseSince(query.since, timezone);
    } catch (err) {
      if (err instanceof AccuracyOptionError) throw badRequest(err.field, err.reason);
      throw err;
    }
    let cases: CaseRecord[];
    try {
      cases = await collectCases(source);
    } catch (err) {
      // The cases are in the record: it (or Redis, for a source over it) being away is a plain 503; anything else is a bug (500).
      throw unavailableFor(err, 'read cases') ?? err;
    }
    res.json(accuracyReport(cases, { ...options.report, targetPrecision: target, timezone, now: now(), ...(since === undefined ? {} : { since }) }));
  });
  return r;
}
