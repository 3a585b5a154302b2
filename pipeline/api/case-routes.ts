import express, { type Response, Router } from 'express';
import { isCaseId } from '../cases/case-id.ts';
import type { CaseRecord } from '../cases/case-model.ts';
import { writeEvidence } from '../cases/evidence.ts';
import { seesGrid } from '../identity/principal.ts';
import { can } from '../identity/roles.ts';
import type { CaseApiContext } from './api-context.ts';
import { notFound, route } from './api-errors.ts';
import { caseCall } from './case-route-errors.ts';
import { parseBreak, parseEscalate, parseHandle, parseListQuery, parseNoFields, parseVerdict } from './case-requests.ts';
import { listVisibleCases } from './case-visibility.ts';
import { principalOf } from './request-identity.ts';

/**
 * /api/cases: the closed loop over HTTP. The actor of every step is the authenticated identity (a
 * `by` in a body is a 400); grid workers see and act only on cases of their grids (another grid's
 * case is a 404 to them, as if it did not exist). Who may call which route: route-permissions.ts.
 *
 * - GET  /                ?status=pending|opened|dispatched|accepted|handled|rechecking|closed|reopened|rejected|escalated
 *                         &grid &type &camera &unit &overdue=true &limit &cursor &order
 * - GET  /:id             the case and its audit trail
 * - GET  /:id/audit       the audit trail
 * - POST /:id/claim       a lease (default 15 min, `api.claimLeaseMinutes`); renew by claiming again
 * - POST /:id/release     the holder gives it back; an operator (cases:manage) breaks someone's lease
 * - POST /:id/break-claim { reason? }            an operator breaks someone's lease (audited)
 * - POST /:id/verdict     { verdict, reason?, correctType?, note? }
 * - POST /:id/handle      { note?, photoJpegBase64? }   (also /resolve) -> the AI re-check
 * - POST /:id/escalate    { toLevel?, reason? }          one level up, never down
 * Answers: 200 (also for the same person's identical repeat: `changed` false), 400 naming the field,
 * 404 unknown or not visible case, 409 with code CASE_DECIDED (names who decided) / CASE_CLAIMED
 * (names the holder) / CASE_CONFLICT, 503 the record unreachable.
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
  const actor = (res: Response): string => principalOf(res).actor;
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
      res.json(await caseCall('claim the case', () => store.claim(id, actor(res))));
    }),
  );

  r.post(
    '/:id/release',
    route(async (req, res) => {
      const id = caseId(req.params.id);
      parseNoFields(req.body);
      const found = await visible(res, id);
      const p = principalOf(res);
      // Someone else's lease: an operator breaks it (audited as claim_broken); anyone else gets the holder's 409.
      const breaks = found.claimedBy !== undefined && found.claimedBy !== p.actor && can(p.role, 'cases:manage');
      res.json(await caseCall('release the claim', () => (breaks ? store.breakClaim(id, p.actor) : store.release(id, p.actor))));
    }),
  );

  r.post(
    '/:id/break-claim',
    route(async (req, res) => {
      const id = caseId(req.params.id);
      const { reason } = parseBreak(req.body);
      await visible(res, id);
      res.json(await caseCall('break the claim', () => store.breakClaim(id, actor(res), reason)));
    }),
  );

  r.post(
    '/:id/verdict',
    route(async (req, res) => {
      const id = caseId(req.params.id);
      const verdict = parseVerdict(req.body, knownType);
      await visible(res, id);
      res.json(await caseCall('record the verdict', () => store.verdict(id, actor(res), verdict)));
    }),
  );

  // An after-photo (8 MB, about 11 MB as base64) makes the body larger than the app-wide JSON limit.
  const photoBody = express.json({ limit: '12mb' });
  for (const path of ['/:id/handle', '/:id/resolve']) {
    r.post(
      path,
      photoBody,
      route(async (req, res) => {
        const id = caseId(req.params.id);
        const { note, photo } = parseHandle(req.body);
        // Visibility before the photo is written: another grid's case stores nothing.
        await visible(res, id);
        const photoPath = photo ? await writeEvidence(ctx.evidenceDir, photo, Date.now()) : undefined;
        const input = { ...(note ? { note } : {}), ...(photoPath ? { photo: photoPath } : {}) };
        res.json(await caseCall('mark the case handled', () => store.handle(id, actor(res), input)));
      }),
    );
  }

  r.post(
    '/:id/escalate',
    route(async (req, res) => {
      const id = caseId(req.params.id);
      const input = parseEscalate(req.body);
      await visible(res, id);
      res.json(await caseCall('escalate the case', () => store.escalate(id, actor(res), input)));
    }),
  );
  return r;
}
