import { argmaxAt } from './argmax.ts';
import type { Candidates, DecodeContext, Decoder, OutputTensor } from './decoder.ts';
import { assertDecodable, formatDims } from './shape.ts';

/** FastestDet's objectness weight when the card gives no `objPower`. */
export const FASTESTDET_DEFAULT_OBJ_POWER = 0.6;

function checkFastestDet(outputs: readonly { name: string; dims: readonly number[] }[], ctx: DecodeContext): string | null {
  if (outputs.length !== 1) return `expected 1 output [1, 5 + classes, H, W], found ${outputs.length}`;
  const { name, dims } = outputs[0]!;
  const channels = 5 + ctx.numClasses;
  if (dims.length !== 4 || dims[0] !== 1 || dims[1] !== channels || !(dims[2]! > 0) || !(dims[3]! > 0)) {
    return `expected output "${name}" to be [1, ${channels}, H, W] (obj, tx, ty, tw, th and ${ctx.numClasses} class maps), found ${formatDims(dims)}`;
  }
  return null;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * FastestDet head ("fastestdet"). One output [1, 5 + C, H, W] (22x22 for a 352 input):
 * channel 0 objectness, 1-4 tx, ty, tw, th, then C class scores, all maps planar.
 * At cell (gx, gy): cx = (gx + tanh(tx)) / W, cy = (gy + tanh(ty)) / H, w = sigmoid(tw),
 * h = sigmoid(th), all relative to the input and scaled here to input pixels.
 * Score = obj^p * cls^(1 - p) with p = `params.objPower` (default 0.6), best class per cell.
 * Assumes obj and class scores lie in [0, 1], as the exported graph emits them.
 */
export const fastestDetDecoder: Decoder = {
  name: 'fastestdet',
  check: checkFastestDet,
  decode(outputs: readonly OutputTensor[], ctx: DecodeContext): Candidates {
    assertDecodable(fastestDetDecoder, outputs, ctx);
    const { dims, data } = outputs[0]!;
    const rows = dims[2]!;
    const cols = dims[3]!;
    const plane = rows * cols;
    const p = ctx.params.objPower ?? FASTESTDET_DEFAULT_OBJ_POWER;
    const threshold = ctx.scoreThreshold;
    // With cls <= 1 the score is at most obj^p, so cells under this objectness cannot pass
    // (shaded down a hair so rounding in pow never drops a cell sitting on the threshold).
    const minObj = p > 0 ? Math.pow(Math.max(threshold, 0), 1 / p) * (1 - 1e-9) : 0;
    const out: Candidates = { boxes: [], scores: [], classIds: [] };
    for (let cell = 0; cell < plane; cell++) {
      const obj = data[cell]!;
      if (!(obj >= minObj)) continue;
      const bestClass = argmaxAt(data, 5 * plane + cell, ctx.numClasses, plane);
      const score = Math.pow(obj, p) * Math.pow(data[(5 + bestClass) * plane + cell]!, 1 - p);
      if (!(score >= threshold)) continue;
      const cx = ((cell % cols) + Math.tanh(data[plane + cell]!)) / cols * ctx.inputWidth;
      const cy = (Math.floor(cell / cols) + Math.tanh(data[2 * plane + cell]!)) / rows * ctx.inputHeight;
      const w = sigmoid(data[3 * plane + cell]!) * ctx.inputWidth;
      const h = sigmoid(data[4 * plane + cell]!) * ctx.inputHeight;
      out.boxes.push(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
      out.scores.push(score);
      out.classIds.push(bestClass);
    }
    return out;
  },
};
