import { performance } from 'node:perf_hooks';
import type { Decoder } from './decoders/decoder.ts';
import { getDecoder } from './decoders/registry.ts';
import type { Detections } from './detections.ts';
import { ModelDroppedError, ModelShapeError } from './errors.ts';
import type { ModelCard } from './model-card.ts';
import { OnnxModel, type SessionOptions } from './onnx-session.ts';
import type { RgbFrame } from './preprocess/frame.ts';
import { BilinearKernel } from './preprocess/bilinear-wasm.ts';
import { preprocessRgb } from './preprocess/tensor.ts';
import { type PostprocessOptions, decodeContext, postprocess } from './postprocess.ts';

/** Per-call overrides of the card's thresholds. */
export type DetectOptions = PostprocessOptions;

/** Milliseconds spent in each step of one detect call. */
export interface DetectTimings {
  readonly preprocess: number;
  readonly inference: number;
  readonly postprocess: number;
}

/** What one detect call returns. */
export interface DetectResult {
  readonly detections: Detections;
  readonly timingsMs: DetectTimings;
}

/**
 * A ready detector: preprocess -> run -> decode -> NMS -> source pixels, driven by its model card.
 * One detect at a time per instance: the input buffer is reused and onnxruntime reads it while
 * the run is in flight, so calls made while another is running wait their turn (in call order)
 * instead of overwriting the frame being inferred.
 */
export class Detector {
  /** One frame at a time (see {@link FrameDetector}). */
  readonly concurrency = 1;
  /** Resamples frames straight into the input tensor, which lives in the kernel's memory. */
  private readonly kernel = new BilinearKernel();
  private tensor: Float32Array;
  /** Settles when the call in flight (if any) is done; the next call starts after it. */
  private turn: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  private constructor(
    readonly card: ModelCard,
    private readonly model: OnnxModel,
    private readonly decoder: Decoder,
  ) {
    this.tensor = this.kernel.tensor(3 * card.input.width * card.input.height);
  }

  /** Loads the model, checks its integrity and shapes, and checks the decoder understands its outputs. */
  static async load(card: ModelCard, options: SessionOptions = {}): Promise<Detector> {
    const decoder = getDecoder(card.decoder);
    const model = await OnnxModel.load(card, options);
    const problem = decoder.check(
      card.outputs.map((o, i) => ({ name: o.name ?? model.outputNames[i] ?? String(i), dims: o.shape })),
      decodeContext(card, card.thresholds.score),
    );
    if (problem) {
      await model.close();
      throw new ModelShapeError(`model ${card.modelPath}: decoder "${decoder.name}" cannot read its outputs: ${problem}`);
    }
    return new Detector(card, model, decoder);
  }

  /**
   * Detects objects in one packed RGB frame; boxes come back in the frame's pixels. Calls made
   * while one is running are queued (the timings count only the call's own work).
   * @throws ModelDroppedError once `close` has been called (calls made before still finish).
   */
  detect(frame: RgbFrame, options: DetectOptions = {}): Promise<DetectResult> {
    if (this.closing) return Promise.reject(new ModelDroppedError(`model "${this.card.id}" is closed (dropped or shut down): no new frames are taken for it`));
    const result = this.turn.then(() => this.detectNow(frame, options));
    this.turn = result.catch(() => undefined);
    return result;
  }

  private async detectNow(frame: RgbFrame, options: DetectOptions): Promise<DetectResult> {
    const t0 = performance.now();
    const { tensor, transform } = preprocessRgb(frame, this.card.input, this.tensor, this.kernel.resample);
    this.tensor = tensor;
    const t1 = performance.now();
    const outputs = await this.model.run(tensor);
    const t2 = performance.now();
    const items = postprocess(this.card, this.decoder, outputs, transform, options);
    const t3 = performance.now();
    return {
      detections: { width: frame.width, height: frame.height, items },
      timingsMs: { preprocess: t1 - t0, inference: t2 - t1, postprocess: t3 - t2 },
    };
  }

  /**
   * Releases the model once the detect calls already made are done (they finish normally: the
   * session is never released under a run); calls made after are refused. Safe to call twice.
   */
  close(): Promise<void> {
    this.closing ??= this.turn.then(() => this.model.close());
    return this.closing;
  }
}
