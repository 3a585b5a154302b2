import { Router } from 'express';
import type { ApiContext } from './api-context.ts';
import { ApiError, route } from './api-errors.ts';
import { auditRequest } from './api-audit.ts';

/** POST /api/config/reload: re-reads the config file and applies it (admins; audited). */
export function configRoutes(ctx: ApiContext): Router {
  const r = Router();
  r.post(
    '/reload',
    route(async (req, res) => {
      const reload = ctx.reloadConfig;
      if (!reload) throw new ApiError(503, 'UNAVAILABLE', 'this process cannot reload its config (no config file)');
      let result: { cameras: number };
      try {
        result = await reload();
      } catch (err) {
        await auditRequest(ctx.auth.store, req, res, 'config.reload_failed', undefined, { error: (err as Error).message.slice(0, 500) });
        throw new ApiError(400, 'BAD_CONFIG', `config not reloaded, the running one is kept: ${(err as Error).message}`, undefined, { cause: err });
      }
      await auditRequest(ctx.auth.store, req, res, 'config.reload', undefined, { cameras: result.cameras });
      res.json({ reloaded: true, cameras: result.cameras });
    }),
  );
  return r;
}
