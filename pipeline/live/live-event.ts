import { z } from 'zod';

/**
 * What the live feed carries (GET /api/live, Server-Sent Events): cases opened or updated by the
 * events stage, finished camera visits (the wall refreshes the tile), camera health changes, and
 * cases past their deadline (`overdue`, once per case, when a worker flags it in the record).
 * Published to a Redis stream by the workers (see LivePublisher), read
 * back and parsed with these schemas by every API process (see LiveHub).
 */

/** The part of a case the feed shows; the full record stays behind GET /api/cases/:id. */
export const liveCaseSchema = z.looseObject({
  id: z.string(),
  eventType: z.string(),
  cameraId: z.string(),
  status: z.string(),
  severity: z.string(),
  grid: z.string().optional(),
  openedAt: z.number().optional(),
  lastSeenAt: z.number().optional(),
  deadline: z.number().optional(),
  confidence: z.number().optional(),
  evidence: z.looseObject({ latest: z.string().optional(), first: z.string().optional() }).optional(),
  /** When the record flagged it overdue (epoch ms); absent while it is not. */
  overdueAt: z.number().optional(),
  responsibleUnit: z.string().optional(),
  /** A shadow candidate's case (never dispatched); absent: false. */
  shadow: z.boolean().optional(),
});
/** A case as the live feed shows it. */
export type LiveCase = z.infer<typeof liveCaseSchema>;

/** One message of the live feed. */
export const liveEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('case'), outcome: z.string(), at: z.number(), case: liveCaseSchema }),
  z.object({ kind: z.literal('visit'), at: z.number(), cameraId: z.string(), ok: z.boolean(), frames: z.number(), health: z.string() }),
  z.object({
    kind: z.literal('health'),
    at: z.number(),
    cameraId: z.string(),
    from: z.string(),
    to: z.string(),
    error: z.string().optional(),
  }),
  z.object({ kind: z.literal('overdue'), at: z.number(), case: liveCaseSchema }),
]);
/** One message of the live feed (the SSE event name is its `kind`). */
export type LiveEvent = z.infer<typeof liveEventSchema>;

/** The Redis stream holding the recent feed, under the deployment's key prefix. */
export const liveStreamKey = (prefix: string): string => `${prefix}:live:stream`;
/** Hash of each camera's last health state the feed announced (change detection across workers). */
export const liveHealthKey = (prefix: string): string => `${prefix}:live:health`;
