import { z } from 'zod';
import type { ModelPromotions } from '../accuracy/model-promotions.ts';
import { type ShadowCandidate, type ShadowStanding, shadowStanding } from '../accuracy/shadow-standing.ts';
import type { CaseRecord } from '../cases/case-model.ts';
import { notFound, unavailable } from './api-errors.ts';
import { ApiRoutes } from './api-routes.ts';
import { requestActor } from './request-identity.ts';

/** What the shadow routes read. */
export interface ShadowRouteContext {
  /** The configured candidates, with their camera groups as configured now. */
  readonly candidates: () => readonly ShadowCandidate[];
  readonly promotions: ModelPromotions;
  /** Every case (the record). */
  readonly cases: () => Promise<CaseRecord[]>;
  /** Clock, epoch ms. Default Date.now. */
  readonly now?: () => number;
}

const ModelParams = z.strictObject({ model: z.string().min(1).max(128).describe('card id of the shadow candidate') });
const NoFields = z.object({}).describe('nothing (or `{}`); the actor is the login or token, never a field');

/** Every candidate's standing, from the record. */
export async function shadowStandings(ctx: Pick<ShadowRouteContext, 'candidates' | 'promotions' | 'cases'>): Promise<ShadowStanding[]> {
  let cases: CaseRecord[];
  try {
    [cases] = await Promise.all([ctx.cases(), ctx.promotions.refresh()]);
  } catch (err) {
    throw unavailable('cannot read the cases or promotions from the record', err);
  }
  return ctx.candidates().map((c) => shadowStanding(c, cases, ctx.promotions.get(c.model)));
}

/**
 * /api/accuracy/shadow: GET / compares each shadow candidate with the active model on the same
 * cameras (verdict precision and its 95 % Wilson interval, whether the lower bound reaches the
 * candidate's target, its promotion); POST /:model/promote promotes one now (an operator's
 * decision, audited as model.promote; a repeat changes nothing).
 */
export function shadowRoutes(ctx: ShadowRouteContext): ApiRoutes {
  const r = new ApiRoutes('/api/accuracy/shadow', 'accuracy');
  const now = ctx.now ?? Date.now;
  r.get('/', { summary: 'shadow candidates against the active model on the same cameras: cases, verdict precision with its 95 % interval, ready for promotion, promoted', responses: { 200: '`{ candidates: ShadowStanding[] }`', 503: 'the record cannot be read' } }, async (_input, _req, res) => {
    res.json({ candidates: await shadowStandings(ctx) });
  });
  r.post('/:model/promote', { summary: 'promote a shadow candidate now: its hits are dispatched from the next visit on (audited)', params: ModelParams, body: NoFields, responses: { 200: '`{ model, promoted: true, already: boolean, standing }`', 404: 'no such shadow candidate' } }, async ({ params }, req, res) => {
    const candidate = ctx.candidates().find((c) => c.model === params.model);
    if (!candidate) throw notFound(`shadow candidate "${params.model}"`);
    const [standing] = await shadowStandings({ ...ctx, candidates: () => [candidate] });
    const detail = { reason: 'operator', precision: standing!.candidate.precision, ci95: standing!.candidate.ci95, verified: standing!.candidate.verified, target: candidate.precisionTarget };
    let written: boolean;
    try {
      written = await ctx.promotions.promote(candidate.model, requestActor(req, res), now(), detail);
    } catch (err) {
      throw unavailable('cannot write the promotion to the record', err);
    }
    res.json({ model: candidate.model, promoted: true, already: !written, standing: { ...standing!, promoted: ctx.promotions.get(candidate.model) } });
  });
  return r;
}
