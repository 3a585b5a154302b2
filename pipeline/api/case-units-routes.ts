import { Router } from 'express';
import { evaluationPeriod } from '../cases/evaluation-period.ts';
import { evaluateUnits, evaluationRows } from '../cases/unit-evaluation.ts';
import type { CaseApiContext } from './api-context.ts';
import { badRequest, route } from './api-errors.ts';
import { caseCall } from './case-route-errors.ts';

const one = (v: unknown, key: string): string | undefined => {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw badRequest(key, 'one date YYYY-MM-DD');
  return v;
};

/**
 * /api/units: unit evaluation (全线上评价).
 * - GET /evaluation ?from=YYYY-MM-DD &to=YYYY-MM-DD (UTC, to inclusive; default the last 30 days)
 *   -> { from, to, units: [{ unit, received, handled, handledInTime, overdueRate, medianHandlingMs, reopenRate, reopened, rechecked }] }
 */
export function caseUnitRoutes(ctx: CaseApiContext): Router {
  const r = Router();
  r.get(
    '/evaluation',
    route(async (req, res) => {
      const q = req.query as Record<string, unknown>;
      const period = await caseCall('evaluate units', async () => evaluationPeriod(one(q.from, 'from'), one(q.to, 'to'), Date.now()));
      const units = await caseCall('evaluate units', async () => evaluateUnits(await evaluationRows(ctx.store.db, period.from, period.to)));
      res.json({ from: new Date(period.from).toISOString(), to: new Date(period.to).toISOString(), units });
    }),
  );
  return r;
}
