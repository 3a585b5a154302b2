import type { DetectOptions, DetectResult } from './detector.ts';
import type { ModelCard } from './model-card.ts';
import type { RgbFrame } from './preprocess/frame.ts';

/**
 * What the patrol needs from a detector: its card and `detect` on one frame. Implemented by
 * {@link Detector} (inference on the calling thread) and by `DetectorPool` (inference on worker
 * threads, the event loop stays free).
 */
export interface FrameDetector {
  readonly card: ModelCard;
  /** Frames it can work on at once (1: calls are best made one after the other). */
  readonly concurrency: number;
  detect(frame: RgbFrame, options?: DetectOptions): Promise<DetectResult>;
  close(): Promise<void>;
}
