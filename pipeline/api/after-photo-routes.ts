import express from 'express';
import { z } from 'zod';
import sharp from 'sharp';
import { isCaseId } from '../cases/case-id.ts';
import { seesGrid } from '../identity/principal.ts';
import { writeEvidence } from '../cases/evidence.ts';
import type { CaseApiContext } from './api-context.ts';
import { ApiError, badRequest, notFound } from './api-errors.ts';
import { ApiRoutes } from './api-routes.ts';
import { caseCall } from './case-route-errors.ts';
import { principalOf } from './request-identity.ts';

/** Largest after-photo accepted, bytes (a phone camera JPEG is 2-6 MB). */
export const MAX_AFTER_PHOTO_BYTES = 8 * 1024 * 1024;
/** Longest side of the stored photo, pixels. */
const MAX_SIDE = 1920;

/**
 * POST /api/cases/:id/after-photo: the grid worker's photo of the handled scene (body: the image
 * itself, Content-Type image/*). Checked (size, a decodable image), turned upright, shrunk to
 * 1920 px, re-encoded as JPEG without its metadata (no GPS or device data kept), stored as
 * evidence; answers 201 `{ path }` for the case's resolve note. 400 not an image, 404 unknown
 * case, 413 too large.
 *
 * Interim: the durable case record (issue 9) links the photo to the case itself; until then the
 * worker app puts the returned path in the resolve note.
 */
export function afterPhotoRoutes(ctx: CaseApiContext): ApiRoutes {
  const r = new ApiRoutes('/api/cases', 'cases');
  r.post(
    '/:id/after-photo',
    {
      summary: "a grid worker's after-photo (body: the image, Content-Type image/*, at most 8 MB), stored as evidence",
      params: z.object({ id: z.string() }),
      before: [express.raw({ type: 'image/*', limit: MAX_AFTER_PHOTO_BYTES })],
      responses: { 201: '`{ caseId, path }`', 400: 'not a readable image', 404: 'unknown case', 413: 'too large' },
    },
    async ({ params }, req, res) => {
      const id = params.id;
      if (!isCaseId(id)) throw notFound(`case "${id.slice(0, 64)}"`);
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw badRequest('body', 'the photo itself, with Content-Type image/jpeg (or another image type)');
      const found = await caseCall('read the case', () => ctx.store.get(id));
      // A case outside a grid worker's grids does not exist for them (as on the other case routes).
      if (!found || !seesGrid(principalOf(res), found.grid)) throw notFound(`case "${id}"`);
      let jpeg: Buffer;
      try {
        jpeg = await sharp(req.body, { failOn: 'error', limitInputPixels: 50_000_000 })
          .rotate()
          .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
          .jpeg({ quality: 85 })
          .toBuffer();
      } catch (err) {
        throw new ApiError(400, 'BAD_IMAGE', `body: not a readable image (${(err as Error).message})`, 'body', { cause: err });
      }
      const path = await writeEvidence(ctx.evidenceDir, jpeg, Date.now());
      res.status(201).json({ caseId: id, path });
    },
  );
  return r;
}
