import { argmaxAt } from './argmax.ts';
import type { Candidates, DecodeContext, Decoder, OutputTensor } from './decoder.ts';
import { assertDecodable, checkBatchedRows, formatDims, gridCells } from './shape.ts';

/** Strides YOLOX uses when the card gives none. */
export const YOLOX_DEFAULT_STRIDES: readonly number[] = [8, 16, 32];

function strideList(ctx: DecodeContext): readonly number[] {
  return ctx.params.strides ?? YOLOX_DEFAULT_STRIDES;
}

function checkYolox(outputs: readonly { name: string; dims: readonly number[] }[], ctx: DecodeContext): string | null {
  if (outputs.length !== 1) return `expected 1 output [1, cells, 5 + classes], found ${outputs.length}`;
  const { name, dims } = outputs[0]!;
  const strides = strideList(ctx);
  const rows = strides.reduce((n, s) => n + gridCells(ctx.inputWidth, s) * gridCells(ctx.inputHeight, s), 0);
  const expected = formatDims([1, rows, 5 + ctx.numClasses]);
  const rank = checkBatchedRows(`output "${name}"`, dims);
  if (rank !== null) return rank;
  if (dims[1] !== rows || dims[2] !== 5 + ctx.numClasses) {
    return `expected output "${name}" ${expected} (grid cells of strides ${strides.join(', ')} on a ${ctx.inputWidth}x${ctx.inputHeight} input, then tx, ty, tw, th, obj and ${ctx.numClasses} classes), found ${formatDims(dims)}`;
  }
  return null;
}

/**
 * YOLOX head ("yolox"). One output [1, sum of grid cells, 5 + C]: rows for each stride in
 * `params.strides` order (default [8, 16, 32]), cells row-major, each row
 * (tx, ty, tw, th, obj, C class scores) with obj and classes already sigmoid.
 * cx = (tx + gx) * s, cy = (ty + gy) * s, w = exp(tw) * s, h = exp(th) * s;
 * one candidate per row with its best class, score = obj * cls.
 */
export const yoloxDecoder: Decoder = {
  name: 'yolox',
  check: checkYolox,
  decode(outputs: readonly OutputTensor[], ctx: DecodeContext): Candidates {
    assertDecodable(yoloxDecoder, outputs, ctx);
    const data = outputs[0]!.data;
    const numClasses = ctx.numClasses;
    const width = 5 + numClasses;
    const threshold = ctx.scoreThreshold;
    const out: Candidates = { boxes: [], scores: [], classIds: [] };
    let row = 0;
    for (const s of strideList(ctx)) {
      const cols = gridCells(ctx.inputWidth, s);
      const cells = cols * gridCells(ctx.inputHeight, s);
      for (let cell = 0; cell < cells; cell++, row++) {
        const at = row * width;
        const obj = data[at + 4]!;
        // Class scores are at most 1, so obj alone bounds the score.
        if (!(obj >= threshold)) continue;
        const bestClass = argmaxAt(data, at + 5, numClasses);
        const score = obj * data[at + 5 + bestClass]!;
        if (!(score >= threshold)) continue;
        const cx = (data[at]! + (cell % cols)) * s;
        const cy = (data[at + 1]! + Math.floor(cell / cols)) * s;
        const w = Math.exp(data[at + 2]!) * s;
        const h = Math.exp(data[at + 3]!) * s;
        out.boxes.push(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
        out.scores.push(score);
        out.classIds.push(bestClass);
      }
    }
    return out;
  },
};
