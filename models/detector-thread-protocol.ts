/** Messages between `DetectorPool` and its worker threads (plain, structured-clone data). */
import type { DetectOptions, DetectTimings } from './detector.ts';
import type { Detections } from './detections.ts';
import type { ModelCard } from './model-card.ts';

/** What a thread is started with. */
export interface DetectorThreadData {
  readonly card: ModelCard;
  /** Threads in the pool (this one included). */
  readonly threads: number;
  /** onnxruntime intra-op threads of this thread's session. */
  readonly sessionThreads: number;
  readonly skipIntegrityCheck: boolean;
}

/** One frame to detect; `data` is an ArrayBuffer of exactly width*height*3 bytes, transferred. */
export interface DetectRequest {
  readonly id: number;
  readonly width: number;
  readonly height: number;
  readonly data: ArrayBuffer;
  readonly options?: DetectOptions;
}

/** An error as it crosses the thread boundary. */
export interface ThreadError {
  readonly name: string;
  readonly code: string;
  readonly message: string;
}

/** What a thread sends back. */
export type ThreadReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'load-error'; readonly error: ThreadError }
  | { readonly kind: 'result'; readonly id: number; readonly detections: Detections; readonly timingsMs: DetectTimings }
  | { readonly kind: 'error'; readonly id: number; readonly error: ThreadError };
