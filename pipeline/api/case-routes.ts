import { type Response, Router } from 'express';
import { isCaseId } from '../cases/case-id.ts';
import type { CaseRecord } from '../events/event-model.ts';
import { seesGrid } from '../identity/principal.ts';
import { can } from '../identity/roles.ts';
import type { CaseApiContext } from './api-context.ts';
import { notFound, route } from './api-errors.ts';
import { caseCall } from './case-route-errors.ts';
import { parseListQuery, parseNoFields, parseResolve, parseVerdict } from './case-requests.ts';
import { listVisibleCases } from './case-visibility.ts';
import { principalOf } from './request-identity.ts';

/**
 * /api/cases: case views and grid workers' verification. Who acts is the authenticated identity
 * (a `by` in a body is a 400); grid workers see and act only on cases of their grids (another
 * grid's case is a 404 to them, as if it did not exist).
 *
 * - GET  /                ?status=pending|open|claimed|confirmed|rejected|resolved &grid &type &camera &limit &cursor &order
 * - GET  /:id             the case and its audit trail
 * - GET  /:id/audit       the audit trail
 * - POST /:id/claim       take it for the claim lease (default 15 min)
 * - POST /:id/release     give it back (holder), or break someone's claim (cases:manage: operators)
 * - POST /:id/verdict     { verdict, reason?, correctType?, note? }
 * - POST /:id/resolve     { note? }
 * Answers: 200 (also for the same person's identical repeat: `changed` false), 400 naming the field,
 * 404 unknown or not visible case, 409 conflicting state (names who decided or holds the claim),
 * 503 store unreachable.
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
  /** The case if the caller may see it; else 404 (another grid's case is not revealed). */
  const visible = async (res: Response, id: string): Promise<CaseRecord> => {
    const found = await caseCall('read the case', () => store.get(id));
    if (!found || !seesGrid(principalOf(res), found.grid)) throw notFound(`case "${id}"`);
    return found;
  };
  const knownType = (id: string): boolean => ctx.eventTypes().some((t) => t.id === id);

  r.get(
    '/',
    route(async (req, res) => {
      const query = parseListQuery(req.query as Record<string, unknown>);
      const page = await caseCall('list cases', () => listVisibleCases(store, principalOf(res), query));
      res.json({ cases: page.cases, count: page.cases.length, nextCursor: page.nextCursor });
    }),
  );

  r.get(
    '/:id',
    route(async (req, res) => {
      const id = caseId(req.params.id);
      const found = await visible(res, id);
      res.json({ case: found, audit: await caseCall('read the audit trail', () => store.audit(id)) });
    }),
  );

  r.get(
    '/:id/audit',
    route(async (req, res) => {
      const id = caseId(req.params.id);
      await visible(res, id);
      res.json({ caseId: id, audit: await caseCall('read the audit trail', () => store.audit(id)) });
    }),
  );

  r.post(
    '/:id/claim',
    route(async (req, res) => {
      const id = caseId(req.params.id);
      parseNoFields(req.body);
      await visible(res, id);
      res.json(await caseCall('claim the case', () => store.claim(id, principalOf(res).actor)));
    }),
  );

  r.post(
    '/:id/release',
    route(async (req, res) => {
      const id = caseId(req.params.id);
      parseNoFields(req.body);
      const found = await visible(res, id);
      const p = principalOf(res);
      const force = found.claimedBy !== p.actor && can(p.role, 'cases:manage');
      res.json(await caseCall('release the claim', () => store.release(id, p.actor, { force })));
    }),
  );

  r.post(
    '/:id/verdict',
    route(async (req, res) => {
      const id = caseId(req.params.id);
      const verdict = parseVerdict(req.body, principalOf(res).actor, knownType);
      await visible(res, id);
      res.json(await caseCall('record the verdict', () => store.verdict(id, verdict)));
    }),
  );

  r.post(
    '/:id/resolve',
    route(async (req, res) => {
      const id = caseId(req.params.id);
      const { note } = parseResolve(req.body);
      await visible(res, id);
      res.json(await caseCall('resolve the case', () => store.resolve(id, principalOf(res).actor, note)));
    }),
  );
  return r;
}
