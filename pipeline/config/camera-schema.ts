import { z } from 'zod';
import { RuleIdSchema } from './event-ids.ts';
import { ZoneSchema } from './zone-schema.ts';

/** Where a camera looks: picks area targets and time windows. */
export const AreaTypeSchema = z
  .enum(['school', 'hospital', 'transport_hub', 'street', 'market', 'residential', 'urban_village', 'park', 'other'])
  .describe('Area type: school, hospital, transport_hub, street, market, residential, urban_village, park or other.');
export type AreaType = z.output<typeof AreaTypeSchema>;

/** key cameras are served first when capacity is short; low ones last. */
export const PrioritySchema = z.enum(['key', 'normal', 'low']).describe('key | normal | low.');

/** Lower-case id: letters, digits and inner hyphens, 1-64 characters. */
export const SlugSchema = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'lower-case letters, digits and inner "-", at most 64');

/** An environment variable name. */
export const EnvNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

function hasCredentials(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== '' || u.password !== '';
  } catch {
    return false;
  }
}

/** An rtsp:// or rtsps:// URL with a host; credentials in it are allowed. */
export const RtspUrlSchema = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not a valid URL', input: value });
      return;
    }
    if (url.protocol !== 'rtsp:' && url.protocol !== 'rtsps:') {
      ctx.addIssue({ code: 'custom', message: `scheme must be rtsp:// or rtsps://, got ${url.protocol}//`, input: value });
    } else if (!url.hostname) {
      ctx.addIssue({ code: 'custom', message: 'URL has no host', input: value });
    }
  });

/** One camera. `detectors` defaults to the config's default model (filled in by the config schema). */
export const CameraSchema = z
  .strictObject({
    id: SlugSchema.describe('Stable camera id (slug), unique in the file; used in events, URLs and metrics.'),
    name: z.string().min(1).max(200).describe('Human-readable name.'),
    url: RtspUrlSchema.describe('Main stream, rtsp:// or rtsps://. Credentials may be in the URL or in username/password.'),
    subUrl: RtspUrlSchema.optional().describe('Low-resolution sub stream, if the camera has one. Optional.'),
    username: z.string().min(1).max(256).optional().describe('RTSP user name, merged into the URLs when used. Optional.'),
    password: z.string().max(256).optional().describe('RTSP password, merged into the URLs when used; never shown. Optional.'),
    passwordEnv: EnvNameSchema.optional().describe('Environment variable holding the RTSP password (instead of password). Optional.'),
    areaType: AreaTypeSchema,
    grid: z.string().min(1).max(64).describe('Grid / zone id of the management grid the camera belongs to.'),
    priority: PrioritySchema.default('normal').describe('key | normal | low; default normal.'),
    enabled: z.boolean().default(true).describe('Disabled cameras are never visited; default true.'),
    location: z
      .strictObject({
        x: z.number().min(0).max(1).describe('From the left edge of the district map, 0-1.'),
        y: z.number().min(0).max(1).describe('From the top edge of the district map, 0-1.'),
      })
      .optional()
      .describe('Where the camera is on the district map (the console map), as 0-1 fractions of its width and height. Optional: unplaced cameras are listed beside the map.'),
    zones: z.array(ZoneSchema).max(64).default([]).describe('Named polygons for the rules; default none, at most 64.'),
    detectors: z
      .array(z.string().min(1))
      .min(1)
      .max(8)
      .optional()
      .describe('Model ids or card/ONNX paths run on this camera; default [models.default].'),
    rules: z
      .array(RuleIdSchema)
      .max(64)
      .optional()
      .describe(
        'Rule ids (events.rules or shipped) that run on this camera; [] for none. Default: every rule that fits it: whole-frame rules and rules with a zone of their kinds here.',
      ),
  })
  .superRefine((cam, ctx) => {
    const issue = (path: string, message: string, input?: unknown): void => ctx.addIssue({ code: 'custom', path: [path], message, input });
    const separate = cam.username !== undefined || cam.password !== undefined || cam.passwordEnv !== undefined;
    if (separate && (hasCredentials(cam.url) || (cam.subUrl !== undefined && hasCredentials(cam.subUrl)))) {
      issue('username', 'credentials are both in the URL and in username/password: give them one way');
    }
    if (cam.password !== undefined && cam.passwordEnv !== undefined) issue('passwordEnv', 'give password or passwordEnv, not both', cam.passwordEnv);
    if ((cam.password !== undefined || cam.passwordEnv !== undefined) && cam.username === undefined) {
      issue('username', 'a password needs a username');
    }
  });
export type CameraConfig = z.output<typeof CameraSchema>;
