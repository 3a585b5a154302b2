import { z } from 'zod';
import { CameraSchema } from './camera-schema.ts';
import { PatrolSchema } from './patrol-schema.ts';
import { ApiSchema, type Env, ModelsSchema, StorageSchema, redisSchema } from './services-schema.ts';

type Ctx = z.core.$RefinementCtx<unknown>;

/** Reports every repeat of a name in a list at its own key path, pointing at the first one. */
function checkUnique(ctx: Ctx, names: readonly string[], path: (i: number) => (string | number)[], what: string): void {
  const first = new Map<string, number>();
  names.forEach((name, i) => {
    const at = first.get(name);
    if (at === undefined) first.set(name, i);
    else ctx.addIssue({ code: 'custom', path: path(i), message: `duplicate ${what} "${name}", first at ${path(at).slice(0, -1).join('.')}`, input: name });
  });
}

/**
 * The schema of a whole config file. Built per environment: the Redis URL default and
 * passwordEnv checks read it. Unknown keys are rejected at every level.
 */
export function createConfigSchema(env: Env) {
  return z
    .strictObject({
      cameras: z.array(CameraSchema).min(1, 'at least one camera').max(100_000).describe('The cameras to patrol.'),
      patrol: PatrolSchema.prefault({}).describe('How cameras are patrolled.'),
      models: ModelsSchema,
      redis: redisSchema(env),
      api: ApiSchema,
      storage: StorageSchema,
    })
    .superRefine((cfg, ctx) => {
      checkUnique(ctx, cfg.cameras.map((c) => c.id), (i) => ['cameras', i, 'id'], 'id');
      cfg.cameras.forEach((cam, ci) =>
        checkUnique(ctx, cam.zones.map((z) => z.name), (i) => ['cameras', ci, 'zones', i, 'name'], 'zone name'),
      );
      checkUnique(ctx, cfg.patrol.timeWindows.map((w) => w.name), (i) => ['patrol', 'timeWindows', i, 'name'], 'time window name');
      const ids = new Set(cfg.cameras.map((c) => c.id));
      cfg.patrol.timeWindows.forEach((w, wi) =>
        w.cameraIds?.forEach((id, i) => {
          if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: ['patrol', 'timeWindows', wi, 'cameraIds', i], message: `unknown camera "${id}"`, input: id });
        }),
      );
      cfg.cameras.forEach((cam, ci) => {
        if (cam.passwordEnv !== undefined && env[cam.passwordEnv] === undefined) {
          ctx.addIssue({ code: 'custom', path: ['cameras', ci, 'passwordEnv'], message: `environment variable ${cam.passwordEnv} is not set`, input: cam.passwordEnv });
        }
      });
    })
    .transform((cfg) => ({
      ...cfg,
      cameras: cfg.cameras.map((cam) => ({ ...cam, detectors: cam.detectors ?? [cfg.models.default] })),
    }));
}

/** A validated config with every default applied. */
export type GridworkerConfig = z.output<ReturnType<typeof createConfigSchema>>;
/** One camera of a validated config (detectors filled in). */
export type GridworkerCamera = GridworkerConfig['cameras'][number];
