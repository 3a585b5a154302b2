import express, { type Request, Router } from 'express';
import { isCaseId } from '../cases/case-id.ts';
import { writeEvidence } from '../cases/evidence.ts';
import type { CaseApiContext } from './api-context.ts';
import { notFound, route } from './api-errors.ts';
import { caseCall } from './case-route-errors.ts';
import { parseBreak, parseClaim, parseEscalate, parseHandle, parseListQuery, parseVerdict } from './case-requests.ts';

/**
 * /api/cases: the closed loop over HTTP. The actor of every step is `ctx.actor(req)` (the
 * authenticated identity, once the identity layer provides it), else the `by` the body states.
 *
 * - GET  /                ?status=pending|opened|dispatched|accepted|handled|rechecking|closed|reopened|rejected|escalated
 *                         &grid &type &camera &unit &overdue=true &limit &cursor &order
 * - GET  /:id             the case and its audit trail
 * - GET  /:id/audit       the audit trail
 * - POST /:id/claim       { by }                 a lease (default 15 min); renew by claiming again
 * - POST /:id/release     { by }                 the holder gives it back
 * - POST /:id/break-claim { by, reason? }        an operator breaks someone's lease (audited)
 * - POST /:id/verdict     { by, verdict, reason?, correctType?, note? }
 * - POST /:id/handle      { by, note?, photoJpegBase64? }   (also /resolve) -> the AI re-check
 * - POST /:id/escalate    { by, toLevel?, reason? }          one level up, never down
 * Answers: 200 (also for a repeated identical request: `changed` false), 400 naming the field,
 * 404 unknown case, 409 with code CASE_DECIDED (names who decided) / CASE_CLAIMED (names the
 * holder) / CASE_CONFLICT, 503 the record unreachable.
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
  const actor = (req: Request, stated: string): string => ctx.actor?.(req) ?? stated;
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
      res.json(await caseCall('claim the case', () => store.claim(id, actor(req, by))));
    }),
  );

  r.post(
    '/:id/release',
    route(async (req, res) => {
      const id = caseId(req.params.id);
      const { by } = parseClaim(req.body);
      res.json(await caseCall('release the claim', () => store.release(id, actor(req, by))));
    }),
  );

  r.post(
    '/:id/break-claim',
    route(async (req, res) => {
      const id = caseId(req.params.id);
      const { by, reason } = parseBreak(req.body);
      res.json(await caseCall('break the claim', () => store.breakClaim(id, actor(req, by), reason)));
    }),
  );

  r.post(
    '/:id/verdict',
    route(async (req, res) => {
      const id = caseId(req.params.id);
      const { by, ...verdict } = parseVerdict(req.body, knownType);
      res.json(await caseCall('record the verdict', () => store.verdict(id, actor(req, by), verdict)));
    }),
  );

  // An after-photo makes the body larger than the app-wide JSON limit.
  const photoBody = express.json({ limit: '9mb' });
  for (const path of ['/:id/handle', '/:id/resolve']) {
    r.post(
      path,
      photoBody,
      route(async (req, res) => {
        const id = caseId(req.params.id);
        const { by, note, photo } = parseHandle(req.body);
        const photoPath = photo ? await writeEvidence(ctx.evidenceDir, photo, Date.now()) : undefined;
        const input = { ...(note ? { note } : {}), ...(photoPath ? { photo: photoPath } : {}) };
        res.json(await caseCall('mark the case handled', () => store.handle(id, actor(req, by), input)));
      }),
    );
  }

  r.post(
    '/:id/escalate',
    route(async (req, res) => {
      const id = caseId(req.params.id);
      const { by, ...input } = parseEscalate(req.body);
      res.json(await caseCall('escalate the case', () => store.escalate(id, actor(req, by), input)));
    }),
  );
  return r;
}
