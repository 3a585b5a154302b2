import { z } from 'zod';
import { ShadowModelSchema } from './shadow-schema.ts';

/** Environment variables as the loader sees them. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The bundled default detector. Same value as DEFAULT_MODEL_ID in models/model-catalog.ts
 * (not imported: that module loads onnxruntime, which `validate` must not need).
 */
export const DEFAULT_MODEL = 'picodet-s-416-coco';

/** Detector models: the default and per-model options. */
export const ModelsSchema = z
  .strictObject({
    default: z.string().min(1).default(DEFAULT_MODEL).describe(`Model id, card .json or .onnx used when a camera names none; default ${DEFAULT_MODEL}.`),
    options: z
      .record(
        z.string().min(1),
        z.strictObject({
          conf: z.number().min(0).max(1).optional().describe("Minimum detection score 0-1; default the model card's."),
        }),
      )
      .default({})
      .describe('Per model id: options; default none.'),
    shadow: z.array(ShadowModelSchema).max(32).default([]).describe('Candidate models run in shadow on camera groups (hits verified, never dispatched, until promoted); default none.'),
  })
  .prefault({})
  .describe('Detector models.');

/** Redis connection; the URL default comes from REDIS_URL. */
export function redisSchema(env: Env) {
  const fallback = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  return z
    .strictObject({
      url: z
        .string()
        .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
        .default(fallback)
        .describe('Redis URL; default $REDIS_URL, else redis://127.0.0.1:6379.'),
      prefix: z
        .string()
        .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits, ":", "_", "-", at most 64')
        .default('gridworker')
        .describe('Key prefix for queues and state; default gridworker.'),
    })
    .prefault({})
    .describe('Redis (queues and shared patrol state).');
}

/** Sessions, login lockout and CSRF origins of the HTTP API. */
export const AuthSchema = z
  .strictObject({
    sessionIdleMinutes: z.number().min(1).max(1440).default(30).describe('A session unused this long ends, minutes 1-1440; default 30.'),
    sessionMaxHours: z.number().min(0.1).max(720).default(12).describe('A session ends this long after login, hours 0.1-720; default 12.'),
    lockAfterFailures: z.number().int().min(1).max(100).default(5).describe('Failed logins in a row that lock an account, 1-100; default 5.'),
    lockMinutes: z.number().min(1).max(1440).default(15).describe('How long failures are counted and a lock lasts, minutes 1-1440; default 15.'),
    loginPerMinute: z.number().int().min(1).max(10_000).default(10).describe('Login attempts allowed per client address per minute, 1-10000; default 10.'),
    trustedOrigins: z
      .array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'an origin such as https://gw.example.org (no path)'))
      .default([])
      .describe('Origins besides the server\'s own allowed to send cookie-authenticated writes (a reverse proxy\'s public origin); default none.'),
  })
  .prefault({})
  .describe('Login sessions and protection.');

/** The HTTP API. */
export const ApiSchema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1').describe('Listen address; default 127.0.0.1 (local only).'),
    port: z.number().int().min(0).max(65_535).default(8080).describe('Listen port 0-65535 (0 = any free); default 8080.'),
    metricsPort: z
      .number()
      .int()
      .min(0)
      .max(65_535)
      .default(9464)
      .describe('Port of GET /metrics in a process without the api role (a worker or scheduler alone), on api.host; 0 = any free; default 9464.'),
    claimLeaseMinutes: z.number().min(1).max(1440).default(15).describe('How long a grid worker\'s claim holds a case, minutes 1-1440; default 15.'),
    auth: AuthSchema,
  })
  .prefault({})
  .describe('HTTP API and UI.');

/** Where evidence and latest frames go. */
export const StorageSchema = z
  .strictObject({
    dir: z
      .string()
      .min(1)
      .default('.gridworker/data')
      .describe("Folder for evidence and latest frames, relative to the config file's folder; default .gridworker/data."),
    minFreeMb: z
      .number()
      .int()
      .min(0)
      .max(1_048_576)
      .default(256)
      .describe('Free-space floor (MiB): below it new evidence is refused with STORAGE_LOW_SPACE and readiness fails; 0 turns it off; default 256.'),
  })
  .prefault({})
  .describe('Local storage.');
