import { Router } from 'express';
import { AccuracyOptionError } from '../accuracy/accuracy-errors.ts';
import { type AccuracyOptions, DEFAULT_TARGET_PRECISION, accuracyReport } from '../accuracy/accuracy-report.ts';
import { type CaseSource, collectCases } from '../accuracy/case-source.ts';
import { parseSince } from '../accuracy/since-date.ts';
import type { CaseRecord } from '../events/event-model.ts';
import { systemTimeZone } from '../patrol/zoned-time.ts';
import { badRequest, route, unavailable } from './api-errors.ts';

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

const single = (value: unknown, field: string): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(field, 'give it once, as a plain value');
  return value;
};

function parseTarget(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw badRequest('target', `must be a number from 0 to 1, got "${raw.slice(0, 32)}"`);
  return n;
}

/**
 * /api/accuracy: GET / returns the accuracy report (AccuracyReport JSON) over every case the
 * source has. Query: `target` (0-1, default 0.8), `since` (YYYY-MM-DD local midnight, or an ISO
 * date-time with offset; filters on the opening time). 400 names the bad field; 503 when the
 * source (the case store) cannot be read. Mount with `app.use('/api/accuracy', accuracyRoutes(...))`.
 */
export function accuracyRoutes(source: CaseSource, options: AccuracyRouteOptions = {}): Router {
  const r = Router();
  const timezone = options.timezone ?? systemTimeZone();
  const now = options.now ?? Date.now;
  r.get(
    '/',
    route(async (req, res) => {
      const target = parseTarget(single(req.query.target, 'target'), options.targetPrecision ?? DEFAULT_TARGET_PRECISION);
      const sinceText = single(req.query.since, 'since');
      let since: number | undefined;
      try {
        since = sinceText === undefined ? undefined : parseSince(sinceText, timezone);
      } catch (err) {
        if (err instanceof AccuracyOptionError) throw badRequest(err.field, err.reason);
        throw err;
      }
      let cases: CaseRecord[];
      try {
        cases = await collectCases(source);
      } catch (err) {
        throw unavailable('cannot read cases: Redis is not reachable', err);
      }
      res.json(accuracyReport(cases, { ...options.report, targetPrecision: target, timezone, now: now(), ...(since === undefined ? {} : { since }) }));
    }),
  );
  return r;
}
