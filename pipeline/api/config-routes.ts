import type { ApiContext } from './api-context.ts';
import { ApiError } from './api-errors.ts';
import { auditRequest } from './api-audit.ts';
import { ApiRoutes } from './api-routes.ts';

/** POST /api/config/reload: re-reads the config file and applies it (admins; audited). */
export function configRoutes(ctx: ApiContext): ApiRoutes {
  const r = new ApiRoutes('/api/config', 'patrol');
  r.post(
    '/reload',
    { summary: 're-read the config file (cameras, plan, models) like SIGHUP; audited', responses: { 200: '`{ reloaded: true, cameras }`', 400: 'the file does not load: the running config is kept', 503: 'no config file to reload' } },
    async (_input, req, res) => {
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
    },
  );
  return r;
}
