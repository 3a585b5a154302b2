/** Messages between `DetectorPool` and its detector processes (IPC with `advanced` serialization). */
import type { DetectOptions, DetectTimings } from './detector.ts';
import type { Detections } from './detections.ts';
import type { ModelCard } from './model-card.ts';

/** The first message a detector process gets: what to load (every model once, by card id). */
export interface DetectorInit {
  readonly kind: 'init';
  readonly cards: readonly ModelCard[];
  /** onnxruntime intra-op threads of this process's session. */
  readonly sessionThreads: number;
  readonly skipIntegrityCheck: boolean;
}

/** One frame to detect: exactly width*height*3 bytes of packed RGB. */
export interface DetectRequest {
  readonly kind: 'detect';
  readonly id: number;
  /** Card id of the model to run (one of the init's cards). */
  readonly model: string;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  readonly options?: DetectOptions;
}

/**
 * One image file to decode and detect in the detector process (the benchmark's path): only the
 * path goes out, so decoding runs in the detector processes in parallel and no frame crosses the pipe.
 */
export interface DetectFileRequest {
  readonly kind: 'detect-file';
  readonly id: number;
  /** Card id of the model to run (one of the init's cards). */
  readonly model: string;
  /** Image file as `loadImageFile` reads it. */
  readonly path: string;
  readonly options?: DetectOptions;
}

/** Loads one more model into a running process (a config reload named it); answered `loaded` or `load-failed`. */
export interface LoadModelRequest {
  readonly kind: 'load';
  readonly id: number;
  readonly card: ModelCard;
}

/** Drops a model from a running process once the frames sent before it are done. Not answered. */
export interface UnloadModelRequest {
  readonly kind: 'unload';
  /** Card id. */
  readonly model: string;
}

/** What the pool sends a detector process after its init. */
export type DetectorRequest = DetectRequest | DetectFileRequest | LoadModelRequest | UnloadModelRequest;

/** An error as it crosses the process boundary. */
export interface WireError {
  readonly name: string;
  readonly code: string;
  readonly message: string;
}

/** What a detector process sends back. */
export type DetectorReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'load-error'; readonly error: WireError }
  | { readonly kind: 'result'; readonly id: number; readonly detections: Detections; readonly timingsMs: DetectTimings }
  /** Answer to a `detect-file`: also how long the process took to read and decode the file. */
  | { readonly kind: 'file-result'; readonly id: number; readonly detections: Detections; readonly timingsMs: DetectTimings; readonly decodeMs: number }
  | { readonly kind: 'error'; readonly id: number; readonly error: WireError }
  | { readonly kind: 'loaded'; readonly id: number }
  | { readonly kind: 'load-failed'; readonly id: number; readonly error: WireError };
