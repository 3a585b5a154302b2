/** One model output tensor as handed to a decoder: float32 data in row-major order. */
export interface OutputTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/** What a decoder needs besides the tensors. All sizes in network-input pixels. */
export interface DecodeContext {
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly numClasses: number;
  /** Candidates scoring below this are dropped before any box maths. */
  readonly scoreThreshold: number;
  /** Family-specific parameters from the model card (e.g. strides, regMax). */
  readonly params: DecoderParams;
}

/** Family-specific knobs, all optional; each decoder documents its defaults. */
export interface DecoderParams {
  /** Feature-map strides in output order (GFL, YOLOX). */
  readonly strides?: readonly number[];
  /** GFL distribution bins minus one (PicoDet/NanoDet: 7). */
  readonly regMax?: number;
  /** FastestDet: score = obj^objPower * cls^(1 - objPower). Default 0.6. */
  readonly objPower?: number;
  /** YOLOv5/v8: boxes are normalised 0-1 instead of input pixels. Default false. */
  readonly normalizedBoxes?: boolean;
}

/**
 * Raw candidates before NMS, boxes in network-input pixels.
 * `boxes` is flat [x1, y1, x2, y2, x1, y1, ...]; `scores` and `classIds` have one entry per box.
 */
export interface Candidates {
  readonly boxes: number[];
  readonly scores: number[];
  readonly classIds: number[];
}

/** A pure decoder for one output family. */
export interface Decoder {
  /** Registry key used by model cards, e.g. "gfl". */
  readonly name: string;
  /**
   * Checks that the output tensors' shapes are what this family emits for this context.
   * Returns null when they fit, or a sentence saying what was expected and what was found.
   */
  check(outputs: readonly { name: string; dims: readonly number[] }[], ctx: DecodeContext): string | null;
  /** Turns output tensors into candidates above ctx.scoreThreshold. Never mutates inputs. */
  decode(outputs: readonly OutputTensor[], ctx: DecodeContext): Candidates;
}
