import { Router } from 'express';
import type { PatrolRunState } from '../distributed/patrol-store.ts';
import type { ApiContext } from './api-context.ts';
import { badRequest, conflict, notFound, route, unavailable } from './api-errors.ts';

async function guarded<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw unavailable(`cannot ${what}: Redis is not reachable`, err);
  }
}

/** /api/patrol: status and commands (start, pause, resume, stop, visit-now). */
export function patrolRoutes(ctx: ApiContext): Router {
  const r = Router();

  r.get(
    '/status',
    route(async (_req, res) => {
      const [state, status] = await guarded('read the patrol status', () => Promise.all([ctx.store.getRunState(), ctx.store.readStatus()]));
      res.json({
        state,
        leader: status ? { id: status.leader.split(':').slice(0, -1).join(':'), statusAgeMs: Date.now() - status.at } : null,
        workers: status?.workers ?? 0,
        capacity: status?.capacity ?? 0,
        scheduler: status?.scheduler ?? null,
        ...(status ? {} : { note: 'no scheduler has published a status in the last 5 s (none running, or it is taking over)' }),
      });
    }),
  );

  const command = (path: string, state: PatrolRunState): void => {
    r.post(
      path,
      route(async (_req, res) => {
        await guarded(`${path.slice(1)} the patrol`, () => ctx.store.setRunState(state));
        res.json({ state });
      }),
    );
  };
  command('/start', 'running');
  command('/pause', 'paused');
  command('/stop', 'stopped');
  // Resume continues a pause; a stopped patrol (its queued visits dropped) is started again with /start.
  r.post(
    '/resume',
    route(async (_req, res) => {
      const current = await guarded('read the run state', () => ctx.store.getRunState());
      if (current === 'stopped') throw conflict('the patrol is stopped (its queued visits were dropped): POST /api/patrol/start to start it again');
      await guarded('resume the patrol', () => ctx.store.setRunState('running'));
      res.json({ state: 'running' });
    }),
  );

  r.put(
    '/targets',
    route(async (req, res) => {
      const body: unknown = req.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('body', 'a JSON object such as {"key": 60, "normal": 600}');
      const targets: Record<string, number> = {};
      for (const [k, v] of Object.entries(body)) {
        if (!['key', 'normal', 'low'].includes(k)) throw badRequest(k, 'unknown priority (key, normal or low)');
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 5 || v > 86_400) throw badRequest(k, 'revisit target in seconds, 5-86400');
        targets[k] = v;
      }
      await guarded('change the revisit targets', () => ctx.store.setPlanOverride(Object.keys(targets).length ? targets : null));
      res.json({ targets });
    }),
  );

  r.post(
    '/visit-now',
    route(async (req, res) => {
      const body: unknown = req.body;
      const cameraId = typeof body === 'object' && body !== null ? (body as { cameraId?: unknown }).cameraId : undefined;
      if (typeof cameraId !== 'string' || cameraId === '') throw badRequest('cameraId', 'required, a camera id string');
      if (!ctx.cameras().some((c) => c.id === cameraId)) throw notFound(`camera "${cameraId}"`);
      await guarded('queue the visit', () => ctx.store.requestVisitNow(cameraId));
      res.status(202).json({ cameraId, queued: true });
    }),
  );
  return r;
}
