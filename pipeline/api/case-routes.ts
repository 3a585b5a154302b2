import express, { type Response } from 'express';
import { z } from 'zod';
import { isCaseId } from '../cases/case-id.ts';
import type { CaseRecord } from '../cases/case-model.ts';
import { writeEvidence } from '../cases/evidence.ts';
import { seesGrid } from '../identity/principal.ts';
import { can } from '../identity/roles.ts';
import type { CaseApiContext } from './api-context.ts';
import { notFound } from './api-errors.ts';
import { ApiRoutes } from './api-routes.ts';
import { caseCall } from './case-route-errors.ts';
import { MAX_CLOSE_REASON, MAX_NOTE, MAX_PHOTO_BYTES, MAX_UNIT, REJECT_REASONS, parseBreak, parseClose, parseEscalate, parseHandle, parseListQuery, parseNoFields, parseReassign, parseVerdict } from './case-requests.ts';
import { CASE_STATUSES, type CaseStatus, type RejectReason, UNIT_LEVELS, type UnitLevel } from '../cases/case-model.ts';
import { visibleQuery } from './case-visibility.ts';
import { CasePageCache, type RenderedPage } from './case-page-cache.ts';
import { listPageKey, renderListPage } from './case-list-page.ts';
import { principalOf } from './request-identity.ts';

// The schemas document the routes (GET /api/openapi.json) and check types; the parse functions of
// case-requests.ts then apply the rules that need more than a type (strict keys, "by" refused,
// reason only with rejected, ...) to the raw request, so their 400s stay as precise as before.
const IdParams = z.object({ id: z.string().describe('case id') });
const filter = (what: string) => z.string().optional().describe(what);
/** Query of GET /api/cases (also the /verify page's, without status). */
export const CaseListQuerySchema = z.object({
  status: z
    .enum(['pending', 'active', ...CASE_STATUSES] as [CaseStatus | 'pending' | 'active', ...(CaseStatus | 'pending' | 'active')[]])
    .optional()
    .describe('a status, pending (waiting for a verdict) or active (anything but closed and rejected)'),
  grid: filter('grid id'),
  type: filter('event type id'),
  camera: filter('camera id'),
  unit: filter('responsible unit'),
  overdue: z.enum(['true', 'false']).optional().describe('true: only active cases flagged overdue'),
  limit: filter('1-200, default 50'),
  cursor: filter('nextCursor of the previous page'),
  order: z.enum(['asc', 'desc']).optional().describe('asc (oldest first, default) or desc'),
});
const note = (what: string) => z.string().max(MAX_NOTE).optional().describe(what);
const NoFields = z.object({}).describe('nothing (or `{}`); the actor is the login or token, never a field');
const BreakBody = z.object({ reason: note('why the claim is broken (audited)') });
const VerdictBody = z.object({
  verdict: z.enum(['confirmed', 'rejected']),
  reason: z.enum(REJECT_REASONS as [RejectReason, ...RejectReason[]]).optional().describe('required with rejected'),
  correctType: z.string().optional().describe('with reason wrong_event_type: the right event type id'),
  note: note('free text'),
});
const HandleBody = z.object({
  note: note('what was done'),
  photoJpegBase64: z.string().optional().describe(`after-photo, a base64 JPEG of at most ${MAX_PHOTO_BYTES} bytes`),
});
const EscalateBody = z.object({
  toLevel: z.enum(UNIT_LEVELS as [UnitLevel, ...UnitLevel[]]).optional().describe('the next level up (default)'),
  reason: note('why'),
});
const ReassignBody = z.object({
  unit: z.string().min(1).max(MAX_UNIT).describe('id of a unit at the case\'s level (GET /api/units)'),
  reason: note('why (audited)'),
});
const CloseBody = z.object({
  reason: z.string().min(1).max(MAX_CLOSE_REASON).describe(`why the case is closed by hand, 1-${MAX_CLOSE_REASON} characters (audited)`),
  note: note('free text'),
});
const STEP = { 200: '`{ case, changed }` (`changed` false for the same identical repeat)', 404: 'unknown case (or another grid\'s)' } as const;

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
 * - POST /:id/reassign    { unit, reason? }              an operator: another unit at the case's level
 * - POST /:id/close       { reason, note? }              an operator closes an active case by hand
 * Answers: 200 (also for the same person's identical repeat: `changed` false), 400 naming the field,
 * 404 unknown or not visible case, 409 with code CASE_DECIDED (names who decided) / CASE_CLAIMED
 * (names the holder) / CASE_CONFLICT, 503 the record unreachable.
 */
export function caseRoutes(ctx: CaseApiContext): ApiRoutes {
  const r = new ApiRoutes('/api/cases', 'cases');
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

  // Pages are JSON text from PostgreSQL, kept in memory until a case changes (when changes are heard).
  const pages = ctx.changes ? new CasePageCache(ctx.changes) : undefined;
  const EMPTY: RenderedPage = renderListPage({ cases: '[]', count: 0, nextCursor: null });
  r.get('/', { summary: 'cases matching every filter, paginated by nextCursor (a grid worker sees only their grids); ETag / If-None-Match answered 304', query: CaseListQuerySchema, responses: { 200: '`{ cases, count, nextCursor }`', 304: 'not changed since the ETag sent in If-None-Match', 400: 'an unknown filter or a bad value, named' } },
    async (_input, req, res) => {
      const query = visibleQuery(principalOf(res), parseListQuery(req.query as Record<string, unknown>));
      const render = async (): Promise<RenderedPage> => renderListPage(await store.listJson(query!));
      const page = query === null ? EMPTY : await caseCall('list cases', () => (pages ? pages.page(listPageKey(query), render) : render()));
      // express answers 304 itself when If-None-Match holds this ETag.
      res.set({ 'Content-Type': 'application/json; charset=utf-8', ETag: page.etag, 'Cache-Control': 'private, no-cache' });
      res.send(page.body);
    },
  );

  r.get('/:id', { summary: 'one case and its audit trail', params: IdParams, responses: { 200: '`{ case, audit }`', 404: 'unknown case (or another grid\'s)' } },
    async (_input, req, res) => {
      const id = caseId(req.params.id);
      const found = await visible(res, id);
      res.json({ case: found, audit: await caseCall('read the audit trail', () => store.audit(id)) });
    },
  );

  r.get('/:id/audit', { summary: 'the audit trail of a case, oldest first', params: IdParams, responses: { 200: '`{ caseId, audit }`', 404: 'unknown case' } },
    async (_input, req, res) => {
      const id = caseId(req.params.id);
      await visible(res, id);
      res.json({ caseId: id, audit: await caseCall('read the audit trail', () => store.audit(id)) });
    },
  );

  r.post('/:id/claim', { summary: 'claim the case: a lease in the caller\'s name (renewed by claiming again)', params: IdParams, body: NoFields, responses: { ...STEP, 409: 'CASE_CLAIMED: someone else holds it (named)' } },
    async (_input, req, res) => {
      const id = caseId(req.params.id);
      parseNoFields(req.body);
      await visible(res, id);
      res.json(await caseCall('claim the case', () => store.claim(id, actor(res))));
    },
  );

  r.post('/:id/release', { summary: 'give the claim back (an operator breaks someone else\'s lease, audited)', params: IdParams, body: NoFields, responses: { ...STEP, 409: 'CASE_CLAIMED: held by someone else' } },
    async (_input, req, res) => {
      const id = caseId(req.params.id);
      parseNoFields(req.body);
      const found = await visible(res, id);
      const p = principalOf(res);
      // Someone else's lease: an operator breaks it (audited as claim_broken); anyone else gets the holder's 409.
      const breaks = found.claimedBy !== undefined && found.claimedBy !== p.actor && can(p.role, 'cases:manage');
      res.json(await caseCall('release the claim', () => (breaks ? store.breakClaim(id, p.actor) : store.release(id, p.actor))));
    },
  );

  r.post('/:id/break-claim', { summary: 'an operator breaks whoever\'s claim (audited as claim_broken)', params: IdParams, body: BreakBody, responses: STEP },
    async (_input, req, res) => {
      const id = caseId(req.params.id);
      const { reason } = parseBreak(req.body);
      await visible(res, id);
      res.json(await caseCall('break the claim', () => store.breakClaim(id, actor(res), reason)));
    },
  );

  r.post('/:id/verdict', { summary: 'the grid worker\'s verdict: confirmed (the unit accepts it) or rejected with a reason', params: IdParams, body: VerdictBody, responses: { ...STEP, 409: 'CASE_DECIDED (names who decided) or CASE_CLAIMED' } },
    async (_input, req, res) => {
      const id = caseId(req.params.id);
      const verdict = parseVerdict(req.body, knownType);
      await visible(res, id);
      res.json(await caseCall('record the verdict', () => store.verdict(id, actor(res), verdict)));
    },
  );

  // An after-photo (8 MB, about 11 MB as base64) makes the body larger than the app-wide JSON limit.
  const photoBody = express.json({ limit: '12mb' });
  for (const path of ['/:id/handle', '/:id/resolve']) {
    r.post(path, { summary: 'the unit marks an accepted or reopened case handled (note, after-photo as base64 JPEG up to 8 MB); requests the AI re-check', params: IdParams, body: HandleBody, before: [photoBody], responses: { ...STEP, 409: 'CASE_CONFLICT: not accepted or reopened' } },
      async (_input, req, res) => {
        const id = caseId(req.params.id);
        const { note, photo } = parseHandle(req.body);
        // Visibility before the photo is written: another grid's case stores nothing.
        await visible(res, id);
        const photoPath = photo ? await writeEvidence(ctx.evidenceDir, photo, Date.now()) : undefined;
        const input = { ...(note ? { note } : {}), ...(photoPath ? { photo: photoPath } : {}) };
        res.json(await caseCall('mark the case handled', () => store.handle(id, actor(res), input)));
      },
    );
  }

  r.post('/:id/escalate', { summary: 'escalate one level up (community -> street office -> district), never down', params: IdParams, body: EscalateBody, responses: { ...STEP, 409: 'CASE_CONFLICT: already at the top or closed' } },
    async (_input, req, res) => {
      const id = caseId(req.params.id);
      const input = parseEscalate(req.body);
      await visible(res, id);
      res.json(await caseCall('escalate the case', () => store.escalate(id, actor(res), input)));
    },
  );

  r.post('/:id/reassign', { summary: 'an operator hands an active case to another unit at its level: claim cleared, dispatched again', params: IdParams, body: ReassignBody, responses: { ...STEP, 400: 'no such unit at the case\'s level (named)', 409: 'CASE_CONFLICT: the case is closed or rejected' } },
    async (_input, req, res) => {
      const id = caseId(req.params.id);
      const input = parseReassign(req.body);
      await visible(res, id);
      res.json(await caseCall('reassign the case', () => store.reassign(id, actor(res), input)));
    },
  );

  r.post('/:id/close', { summary: 'an operator closes an active case by hand, with a reason (audited)', params: IdParams, body: CloseBody, responses: { ...STEP, 409: 'CASE_CONFLICT: already closed otherwise, or rejected' } },
    async (_input, req, res) => {
      const id = caseId(req.params.id);
      const input = parseClose(req.body);
      await visible(res, id);
      res.json(await caseCall('close the case', () => store.close(id, actor(res), input)));
    },
  );
  return r;
}
