import type { DetectOptions, DetectResult } from './detector.ts';
import type { ModelCard } from './model-card.ts';
import type { RgbFrame } from './preprocess/frame.ts';

/** What {@link FrameDetector.detectFile} gives: the detections and times, and how long reading and decoding the file took. */
export interface FileDetectResult extends DetectResult {
  readonly decodeMs: number;
}

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
  /**
   * Reads, decodes and detects one image file where the inference runs (a detector process), so
   * only the path travels. Offered by `DetectorPool` for the benchmark; absent on an in-process
   * detector (the caller decodes and calls `detect`). Rejects with ImageInputError for a file that
   * will not decode.
   */
  detectFile?(path: string, options?: DetectOptions): Promise<FileDetectResult>;
  close(): Promise<void>;
}
