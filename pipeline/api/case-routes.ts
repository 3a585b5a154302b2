import { Router } from 'express';
import { isCaseId } from '../cases/case-id.ts';
import type { CaseApiContext } from './api-context.ts';
import { notFound, route } from './api-errors.ts';
import { caseCall } from './case-route-errors.ts';
import { parseClaim, parseListQuery, parseResolve, parseVerdict } from './case-requests.ts';

/**
 * /api/cases: grid workers' verification. There is no authentication yet: `by` is the worker id the
 * client states, recorded in the audit trail as given (put the API behind the city's SSO proxy).
 *
 * - GET  /                ?status=pending|open|claimed|confirmed|rejected|resolved &grid &type &camera &limit &cursor &order
 * - GET  /:id             the case and its audit trail
 * - GET  /:id/audit       the audit trail
 * - POST /:id/claim       { by }
 * - POST /:id/verdict     { by, verdict, reason?, correctType?, note? }
 * - POST /:id/resolve     { by, note? }
 * Answers: 200 (also for a repeated identical request: `changed` false), 400 naming the field,
 * 404 unknown case, 409 conflicting state, 503 Redis unreachable.
 */
export function caseRoutes(ctx: CaseApiContext): Router {
  const r = Router();
  const store = ctx.store;
  const caseId = (raw: unknown): string => {
    const id = String(raw);
    // An id that cannot be a case id names no case: 404 like any other unknown one.
    if (!isCaseId(id)) throw notFound(`case "${id.slice(0, 64)}"`);
    return id;
  };
  const knownType = (id: string): boolean => ctx.eventTypes().some((t) => t.id === id);

  r.get(
    '/',
    route(async (req, res) => {
      const query = parseListQuery(req.query as Record<string, unknown>);
      const page = await caseCall('list cases', () => store.list(query));
      res.json({ cases: page.cases, count: page.cases.length, nextCursor: page.nextCursor });
    }),
  );

  r.get(
    '/:id',
    route(async (req, res) => {
      const id = caseId(req.params.id);
      const [found, audit] = await caseCall('read the case', () => Promise.all([store.get(id), store.audit(id)]));
      if (!found) throw notFound(`case "${id}"`);
      res.json({ case: found, audit });
    }),
  );

  r.get(
    '/:id/audit',
    route(async (req, res) => {
      const id = caseId(req.params.id);
      res.json({ caseId: id, audit: await caseCall('read the audit trail', () => store.audit(id)) });
    }),
  );

  r.post(
    '/:id/claim',
    route(async (req, res) => {
      const id = caseId(req.params.id);
      const { by } = parseClaim(req.body);
      res.json(await caseCall('claim the case', () => store.claim(id, by)));
    }),
  );

  r.post(
    '/:id/verdict',
    route(async (req, res) => {
      const id = caseId(req.params.id);
      const verdict = parseVerdict(req.body, knownType);
      res.json(await caseCall('record the verdict', () => store.verdict(id, verdict)));
    }),
  );

  r.post(
    '/:id/resolve',
    route(async (req, res) => {
      const id = caseId(req.params.id);
      const { by, note } = parseResolve(req.body);
      res.json(await caseCall('resolve the case', () => store.resolve(id, by, note)));
    }),
  );
  return r;
}
