/** Detections of one frame with boxes normalised to 0-1 of the frame (resolution-free). */
export type FrameDetections = readonly { label: string; classId: number; score: number; box: readonly number[] }[];

/** One shadow candidate's detections of a visit. */
export interface ShadowDetections {
  /** The candidate, "id@version". */
  readonly model: string;
  readonly detections: readonly FrameDetections[];
}

/** What one visit to one camera produced: frames analysed, or why it failed, and the health after it. */
export interface VisitAnalysis {
  readonly cameraId: string;
  readonly ok: boolean;
  /** Stable error code of the camera failure (CAMERA_REFUSED, ...). */
  readonly errorCode?: string;
  /** Masked error message. */
  readonly error?: string;
  /** Frames received and analysed. */
  readonly frames: number;
  readonly sourceWidth?: number;
  readonly sourceHeight?: number;
  /** ffmpeg spawn to first frame, ms. */
  readonly firstFrameMs?: number;
  /** Models that analysed the frames, "id@version" ("a@1+b@1" when the camera runs several). */
  readonly model?: string;
  /** Per frame, the detections of every active model together. */
  readonly detections: readonly FrameDetections[];
  /** Per shadow candidate the camera runs: its own detections per frame (verified, never dispatched). */
  readonly shadow?: readonly ShadowDetections[];
  /** Full-resolution JPEG of the visit (the camera's latest frame). */
  readonly latestJpeg?: Buffer;
  /** Health after this visit. */
  readonly health: { readonly state: string };
  /** Epoch ms before which the camera should not be visited again; 0 when it may be visited any time. */
  readonly eligibleAt: number;
}

/** Moments of a visit the caller may act on. */
export interface VisitHooks {
  /**
   * Called once the camera's stream is closed (ffmpeg gone, health stored), before the frames
   * are analysed: the camera may be visited again from here on (its lock can be released).
   */
  readonly streamClosed?: () => Promise<void> | void;
}

/** Does one visit: connect, take frames, detect, update health. Never throws for a camera's fault. */
export interface CameraVisitor {
  visit(cameraId: string, hooks?: VisitHooks): Promise<VisitAnalysis>;
}

/** One frame run through the detector, for metrics: which model and how long each step took. */
export interface FrameAnalysed {
  /** "id@version". */
  readonly model: string;
  readonly preprocessMs: number;
  readonly inferenceMs: number;
}
