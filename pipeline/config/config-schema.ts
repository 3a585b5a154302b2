import { z } from 'zod';
import type { RuleCamera } from '../events/rule-fit.ts';
import { CameraSchema } from './camera-schema.ts';
import { cameraRuleIssues } from './camera-rules-check.ts';
import { EventsSchema, type EventsSection } from './events-schema.ts';
import { PatrolSchema } from './patrol-schema.ts';
import { resolveEvents } from './resolve-events.ts';
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

/** What the events cross-checks read of a config. */
interface EventsParts {
  readonly events: EventsSection;
  readonly cameras: readonly RuleCamera[];
  readonly patrol: { readonly dwell: { readonly frames: number } };
}

/** Duplicate ids, then the merge over the shipped catalogue and its cross-checks (see resolve-events.ts). */
function checkEvents(ctx: Ctx, cfg: EventsParts): void {
  checkUnique(ctx, cfg.events.catalogue.map((t) => t.id), (i) => ['events', 'catalogue', i, 'id'], 'event type id');
  checkUnique(ctx, cfg.events.rules.map((r) => r.id), (i) => ['events', 'rules', i, 'id'], 'rule id');
  cfg.cameras.forEach((cam, ci) => checkUnique(ctx, cam.rules ?? [], (i) => ['cameras', ci, 'rules', i], 'rule'));
  // Values that failed a check (a malformed id, a score above 1) still get here: say nothing
  // more about a key that already has its complaint.
  const key = (path: readonly PropertyKey[]): string => path.map(String).join('.');
  const reported = new Set(ctx.issues.map((i) => key(i.path ?? [])));
  const events = resolveEvents(cfg.events);
  for (const i of [...events.issues, ...cameraRuleIssues(cfg.cameras, events, cfg.patrol.dwell.frames)]) {
    if (!reported.has(key(i.path))) ctx.addIssue({ code: 'custom', path: [...i.path], message: i.message, input: i.value });
  }
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
      events: EventsSchema,
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
      cfg.models.shadow.forEach((sh, si) =>
        sh.cameras.forEach((id, i) => {
          if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: ['models', 'shadow', si, 'cameras', i], message: `unknown camera "${id}"`, input: id });
        }),
      );
      checkUnique(ctx, cfg.models.shadow.map((s) => s.model), (i) => ['models', 'shadow', i, 'model'], 'shadow model');
      checkEvents(ctx, cfg);
      cfg.cameras.forEach((cam, ci) => {
        if (cam.passwordEnv !== undefined && env[cam.passwordEnv] === undefined) {
          ctx.addIssue({ code: 'custom', path: ['cameras', ci, 'passwordEnv'], message: `environment variable ${cam.passwordEnv} is not set`, input: cam.passwordEnv });
        }
      });
    })
    .transform((cfg) => ({
      ...cfg,
      cameras: cfg.cameras.map((cam) => ({ ...cam, detectors: cam.detectors ?? [cfg.models.default] })),
      // The shipped catalogue and rules with the file's changes merged in (checked above).
      events: resolveEvents(cfg.events).events,
    }));
}

/** A validated config with every default applied. */
export type GridworkerConfig = z.output<ReturnType<typeof createConfigSchema>>;
/** One camera of a validated config (detectors filled in). */
export type GridworkerCamera = GridworkerConfig['cameras'][number];
