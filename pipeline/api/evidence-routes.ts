import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Router } from 'express';
import { resolveEvidencePath } from '../cases/evidence-path.ts';
import { badRequest, notFound, route } from './api-errors.ts';

/**
 * /evidence/<yyyy-mm-dd>/<sha256>.jpg: evidence JPEGs. Only that exact shape is served, so no path
 * can leave the folder (anything else is a 400). Names are content hashes: the files never
 * change, so clients may cache them for good.
 */
export function evidenceRoutes(evidenceDir: string): Router {
  const r = Router();
  r.get(
    '/*path',
    route(async (req, res) => {
      const parts = (req.params as { path?: string | string[] }).path;
      const rel = Array.isArray(parts) ? parts.join('/') : String(parts ?? '');
      const file = resolveEvidencePath(evidenceDir, rel);
      if (!file) throw badRequest('path', 'an evidence path is <yyyy-mm-dd>/<sha256>.jpg');
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) throw notFound(`evidence "${rel}"`);
      res.setHeader('Content-Type', 'image/jpeg');
      res.setHeader('Content-Length', String(info.size));
      res.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      createReadStream(file).pipe(res);
    }),
  );
  return r;
}
