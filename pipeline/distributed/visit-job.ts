/** A visit job on the patrol queue: which camera, queued when. */
export interface VisitJobData {
  readonly cameraId: string;
  /** Epoch ms the leader queued it. */
  readonly queuedAt: number;
}

/** What a worker returns for a visit job (also when the camera failed: that is not a job failure). */
export interface VisitJobResult {
  readonly cameraId: string;
  readonly ok: boolean;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly frames: number;
  readonly detections: number;
  /** Stable error code when the camera failed. */
  readonly errorCode?: string;
  /** Camera health state after this visit. */
  readonly health: string;
  /** Epoch ms before which the camera should not be visited again (backoff/quarantine); 0 for none. */
  readonly eligibleAt: number;
}
