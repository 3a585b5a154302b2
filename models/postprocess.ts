import type { DecodeContext, Decoder, OutputTensor } from './decoders/decoder.ts';
import type { Detection } from './detections.ts';
import type { ModelCard } from './model-card.ts';
import { nms } from './nms.ts';
import type { InputTransform } from './preprocess/transform.ts';
import { boxesToSource } from './preprocess/transform.ts';

/** Per-call overrides of the card's thresholds. */
export interface PostprocessOptions {
  /** Minimum score, 0-1. Default: the card's thresholds.score. */
  readonly scoreThreshold?: number;
  /** Class-wise NMS IoU threshold. Default: the card's thresholds.nms. */
  readonly nmsThreshold?: number;
  /** Maximum detections kept per image. Default: the card's thresholds.maxDetections. */
  readonly maxDetections?: number;
}

/** The decoder context a card implies at a given score threshold. */
export function decodeContext(card: ModelCard, scoreThreshold: number): DecodeContext {
  return {
    inputWidth: card.input.width,
    inputHeight: card.input.height,
    numClasses: card.labels.length,
    scoreThreshold,
    params: card.decoderParams,
  };
}

/** decode -> class-wise NMS -> max detections -> source pixels (clipped) -> Detection objects. */
export function postprocess(
  card: ModelCard,
  decoder: Decoder,
  outputs: readonly OutputTensor[],
  transform: InputTransform,
  options: PostprocessOptions = {},
): Detection[] {
  const t = card.thresholds;
  const candidates = decoder.decode(outputs, decodeContext(card, options.scoreThreshold ?? t.score));
  const keep = nms(candidates, { iouThreshold: options.nmsThreshold ?? t.nms, maxDetections: options.maxDetections ?? t.maxDetections });
  const picked = new Array<number>(keep.length * 4);
  keep.forEach((k, i) => {
    for (let j = 0; j < 4; j++) picked[4 * i + j] = candidates.boxes[4 * k + j]!;
  });
  const src = boxesToSource(picked, transform);
  return keep.map((k, i) => {
    const classId = candidates.classIds[k]!;
    return {
      label: card.labels[classId] ?? `class${classId}`,
      classId,
      score: candidates.scores[k]!,
      box: [src[4 * i]!, src[4 * i + 1]!, src[4 * i + 2]!, src[4 * i + 3]!] as const,
    };
  });
}
