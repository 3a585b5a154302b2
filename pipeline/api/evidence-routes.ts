import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { resolveEvidencePath } from '../cases/evidence-path.ts';
import { badRequest, notFound } from './api-errors.ts';
import { ApiRoutes } from './api-routes.ts';

/** Path of an evidence file: express hands the `*path` segments as a list. */
const EvidenceParams = z.strictObject({
  path: z.union([z.string(), z.array(z.string())]).describe('<yyyy-mm-dd>/<sha256>.jpg'),
});

/**
 * /evidence/<yyyy-mm-dd>/<sha256>.jpg: evidence JPEGs. Only that exact shape is served, so no path
 * can leave the folder (anything else is a 400). Names are content hashes: the files never
 * change, so clients may cache them for good.
 */
export function evidenceRoutes(evidenceDir: string): ApiRoutes {
  const r = new ApiRoutes('/evidence', 'cases');
  r.get(
    '/*path',
    {
      summary: 'an evidence JPEG named in a case (`<yyyy-mm-dd>/<sha256>.jpg`); immutable, cacheable for good',
      params: EvidenceParams,
      produces: 'image/jpeg',
      responses: { 200: 'the JPEG', 400: 'not an evidence path', 404: 'no such evidence' },
    },
    async ({ params }, _req, res) => {
      const rel = Array.isArray(params.path) ? params.path.join('/') : params.path;
      const file = resolveEvidencePath(evidenceDir, rel);
      if (!file) throw badRequest('path', 'an evidence path is <yyyy-mm-dd>/<sha256>.jpg');
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
