import { z } from 'zod';
import { evaluationPeriod } from '../cases/evaluation-period.ts';
import { evaluateUnits, evaluationRows } from '../cases/unit-evaluation.ts';
import { listUnits } from '../cases/unit-directory.ts';
import type { CaseApiContext } from './api-context.ts';
import { badRequest } from './api-errors.ts';
import { ApiRoutes } from './api-routes.ts';
import { caseCall } from './case-route-errors.ts';

const one = (v: unknown, key: string): string | undefined => {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw badRequest(key, 'one date YYYY-MM-DD');
  return v;
};

/**
 * /api/units: the responsible units, and unit evaluation (全线上评价).
 * - GET / -> { units: [{ id, name, level, parentId }] } (from the catalogue, at every level; `id` is
 *   what a case carries in `responsibleUnit` and what POST /api/cases/:id/reassign takes)
 * - GET /evaluation ?from=YYYY-MM-DD &to=YYYY-MM-DD (UTC, to inclusive; default the last 30 days)
 *   -> { from, to, units: [{ unit, received, handled, handledInTime, overdueRate, medianHandlingMs, reopenRate, reopened, rechecked }] }
 */
export function caseUnitRoutes(ctx: CaseApiContext): ApiRoutes {
  const r = new ApiRoutes('/api/units', 'cases');
  r.get('/', { summary: 'the responsible units of the catalogue at every level (community, street office, district), with their parent one level up', responses: { 200: '`{ units: [{ id, name, level, parentId }] }`' } },
    async (_input, _req, res) => {
      res.json({ units: await caseCall('list units', () => listUnits(ctx.store.db)) });
    },
  );
  r.get(
    '/evaluation',
    {
      summary: 'unit evaluation over a period: received, handled, in time, overdue and reopen rates, median handling time',
      query: z.strictObject({ from: z.string().optional().describe('YYYY-MM-DD (UTC); default 30 days ago'), to: z.string().optional().describe('YYYY-MM-DD (UTC, inclusive); default today') }),
      responses: { 200: '`{ from, to, units }`', 400: 'a date that is not YYYY-MM-DD, or from after to' },
    },
    async (_input, req, res) => {
      const q = req.query as Record<string, unknown>;
      const period = await caseCall('evaluate units', async () => evaluationPeriod(one(q.from, 'from'), one(q.to, 'to'), Date.now()));
      const units = await caseCall('evaluate units', async () => evaluateUnits(await evaluationRows(ctx.store.db, period.from, period.to)));
      res.json({ from: new Date(period.from).toISOString(), to: new Date(period.to).toISOString(), units });
    },
  );
  return r;
}
