import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { isCaseId } from '../cases/case-id.ts';
import { resolveEvidencePath } from '../cases/evidence-path.ts';
import { seesGrid } from '../identity/principal.ts';
import { isGridScoped } from '../identity/roles.ts';
import type { CaseApiContext } from './api-context.ts';
import { badRequest, notFound } from './api-errors.ts';
import { ApiRoutes } from './api-routes.ts';
import { caseCall } from './case-route-errors.ts';
import { principalOf } from './request-identity.ts';

/** Path of an evidence file: express hands the `*path` segments as a list. */
const EvidenceParams = z.strictObject({
  path: z.union([z.string(), z.array(z.string())]).describe('<yyyy-mm-dd>/<sha256>.jpg'),
});

/** Query of GET /evidence/...: grid workers name the case the image belongs to. */
const EvidenceQuery = z.strictObject({
  case: z.string().min(1).max(128).optional().describe('the case the evidence belongs to (required for grid workers)'),
});

/**
 * /evidence/<yyyy-mm-dd>/<sha256>.jpg: evidence JPEGs, for roles that may read cases. Only that
 * exact shape is served, so no path can leave the folder (anything else is a 400). A grid worker
 * must say which case the image belongs to (`?case=<id>`): it is served only when that case is in
 * one of their grids and references the file; otherwise 404. Names are content hashes: the
 * files never change, so clients may cache them (privately) for good.
 */
export function evidenceRoutes(ctx: CaseApiContext): ApiRoutes {
  const r = new ApiRoutes('/evidence', 'cases');
  r.get(
    '/*path',
    {
      summary: 'an evidence JPEG named in a case (`<yyyy-mm-dd>/<sha256>.jpg`); immutable, cacheable for good',
      params: EvidenceParams,
      query: EvidenceQuery,
      produces: 'image/jpeg',
      responses: { 200: 'the JPEG', 400: 'not an evidence path (or a grid worker without ?case=)', 404: 'no such evidence' },
    },
    async ({ params, query }, _req, res) => {
      const rel = Array.isArray(params.path) ? params.path.join('/') : params.path;
      const file = resolveEvidencePath(ctx.evidenceDir, rel);
      if (!file) throw badRequest('path', 'an evidence path is <yyyy-mm-dd>/<sha256>.jpg');
      const p = principalOf(res);
      if (isGridScoped(p.role)) {
        const id = query.case;
        if (id === undefined || !isCaseId(id)) throw badRequest('case', 'grid workers name the case the evidence belongs to: ?case=<case id>');
        const c = await caseCall('read the case', () => ctx.store.get(id));
        const refs = c ? Object.values(c.evidence) : [];
        if (!c || !seesGrid(p, c.grid) || !refs.includes(rel)) throw notFound(`evidence "${rel}"`);
      }
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) throw notFound(`evidence "${rel}"`);
      res.setHeader('Content-Type', 'image/jpeg');
      res.setHeader('Content-Length', String(info.size));
      res.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      createReadStream(file).pipe(res);
    },
  );
  return r;
}
