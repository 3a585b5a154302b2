import { z } from 'zod';

/** A visit job on the patrol queue: which camera, queued when. */
export const VisitJobDataSchema = z.object({
  cameraId: z.string().min(1),
  /** Epoch ms the leader queued it. */
  queuedAt: z.number(),
});
/** See {@link VisitJobDataSchema}. */
export type VisitJobData = z.infer<typeof VisitJobDataSchema>;

/** What a worker returns for a visit job (also when the camera failed: that is not a job failure). */
export const VisitJobResultSchema = z.object({
  cameraId: z.string().min(1),
  ok: z.boolean(),
  startedAt: z.number(),
  finishedAt: z.number(),
  frames: z.number(),
  detections: z.number(),
  /** Stable error code when the camera (or storage) failed. */
  errorCode: z.string().optional(),
  /** Camera health state after this visit. */
  health: z.string(),
  /** Epoch ms before which the camera should not be visited again (backoff/quarantine); 0 for none. */
  eligibleAt: z.number(),
});
/** See {@link VisitJobResultSchema}. */
export type VisitJobResult = z.infer<typeof VisitJobResultSchema>;
