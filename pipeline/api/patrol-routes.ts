import { z } from 'zod';
import type { PatrolRunState } from '../distributed/patrol-store.ts';
import type { ApiContext } from './api-context.ts';
import { conflict, notFound, unavailable } from './api-errors.ts';
import { ApiRoutes } from './api-routes.ts';
import { auditRequest } from './api-audit.ts';

async function guarded<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw unavailable(`cannot ${what}: Redis is not reachable`, err);
  }
}

/** Body of PUT /api/patrol/targets. */
export const TargetsBody = z
  .strictObject({
    key: z.number().min(5).max(86_400).optional().describe('revisit target of key cameras, seconds'),
    normal: z.number().min(5).max(86_400).optional().describe('revisit target of normal cameras, seconds'),
    low: z.number().min(5).max(86_400).optional().describe('revisit target of low-priority cameras, seconds'),
  })
  .describe('revisit targets in seconds (5-86400) per priority; {} removes the override');

/** Body of POST /api/patrol/visit-now. */
export const VisitNowBody = z.strictObject({ cameraId: z.string().min(1).max(128).describe('the camera to visit next') });

/** /api/patrol: status and commands (start, pause, resume, stop, visit-now, targets); every command is in the system audit. */
export function patrolRoutes(ctx: ApiContext): ApiRoutes {
  const r = new ApiRoutes('/api/patrol', 'patrol');

  r.get('/status', { summary: 'run state, leader, workers and visit slots, camera counts, achieved revisit intervals per priority', responses: { 200: 'the status', 503: 'Redis is not reachable' } }, async (_input, _req, res) => {
    const [state, status] = await guarded('read the patrol status', () => Promise.all([ctx.store.getRunState(), ctx.store.readStatus()]));
    res.json({
      state,
      leader: status ? { id: status.leader.split(':').slice(0, -1).join(':'), statusAgeMs: Date.now() - status.at } : null,
      workers: status?.workers ?? 0,
      capacity: status?.capacity ?? 0,
      scheduler: status?.scheduler ?? null,
      ...(status ? {} : { note: 'no scheduler has published a status in the last 5 s (none running, or it is taking over)' }),
    });
  });

  const command = (path: string, state: PatrolRunState, summary: string): void => {
    r.post(path, { summary, responses: { 200: '`{ state }`', 503: 'Redis is not reachable' } }, async (_input, req, res) => {
      await guarded(`${path.slice(1)} the patrol`, () => ctx.store.setRunState(state));
      await auditRequest(ctx.auth.store, req, res, `patrol.${path.slice(1)}`, undefined, { state });
      res.json({ state });
    });
  };
  command('/start', 'running', 'start the patrol (also after a stop)');
  command('/pause', 'paused', 'hold new visits (queued ones still run); resume continues');
  command('/stop', 'stopped', 'stop: queued visits are dropped, running ones finish; only start brings the patrol back');
  r.post('/resume', { summary: 'continue a paused patrol', responses: { 200: '`{ state }`', 409: 'the patrol is stopped: use start', 503: 'Redis is not reachable' } }, async (_input, req, res) => {
    const current = await guarded('read the run state', () => ctx.store.getRunState());
    if (current === 'stopped') throw conflict('the patrol is stopped (its queued visits were dropped): POST /api/patrol/start to start it again');
    await guarded('resume the patrol', () => ctx.store.setRunState('running'));
    await auditRequest(ctx.auth.store, req, res, 'patrol.resume', undefined, { state: 'running' });
    res.json({ state: 'running' });
  });

  r.put('/targets', { summary: 'override the revisit targets per priority without a restart (kept in Redis)', body: TargetsBody, responses: { 200: '`{ targets }`', 503: 'Redis is not reachable' } }, async ({ body }, req, res) => {
    const targets = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
    await guarded('change the revisit targets', () => ctx.store.setPlanOverride(Object.keys(targets).length ? targets : null));
    await auditRequest(ctx.auth.store, req, res, 'patrol.targets', undefined, { targets });
    res.json({ targets });
  });

  r.post('/visit-now', { summary: 'visit a camera next (jumps the queue)', body: VisitNowBody, responses: { 202: '`{ cameraId, queued: true }`', 404: 'no such camera', 503: 'Redis is not reachable' } }, async ({ body }, req, res) => {
    if (!ctx.cameras().some((c) => c.id === body.cameraId)) throw notFound(`camera "${body.cameraId}"`);
    await guarded('queue the visit', () => ctx.store.requestVisitNow(body.cameraId));
    await auditRequest(ctx.auth.store, req, res, 'patrol.visit-now', body.cameraId);
    res.status(202).json({ cameraId: body.cameraId, queued: true });
  });
  return r;
}
