import { argmaxAt } from './argmax.ts';
import type { Candidates, DecodeContext, Decoder, OutputTensor } from './decoder.ts';
import { assertDecodable, checkBatchedRows, formatDims } from './shape.ts';

function checkYolov5(outputs: readonly { name: string; dims: readonly number[] }[], ctx: DecodeContext): string | null {
  if (outputs.length !== 1) return `expected 1 output [1, N, 5 + classes], found ${outputs.length}`;
  const { name, dims } = outputs[0]!;
  const rank = checkBatchedRows(`output "${name}"`, dims);
  if (rank !== null) return rank;
  if (dims[2] !== 5 + ctx.numClasses) {
    return `expected output "${name}" rows of cx, cy, w, h, obj and ${ctx.numClasses} classes [1, N, ${5 + ctx.numClasses}], found ${formatDims(dims)}`;
  }
  return null;
}

/**
 * YOLOv5-style head ("yolov5"). One output [1, N, 5 + C], rows (cx, cy, w, h, obj, C class
 * scores) with obj and classes already sigmoid. Boxes are in input pixels, or 0-1 of the input
 * when `params.normalizedBoxes` (default false). One candidate per row with its best class,
 * score = obj * cls.
 */
export const yolov5Decoder: Decoder = {
  name: 'yolov5',
  check: checkYolov5,
  decode(outputs: readonly OutputTensor[], ctx: DecodeContext): Candidates {
    assertDecodable(yolov5Decoder, outputs, ctx);
    const { dims, data } = outputs[0]!;
    const rows = dims[1]!;
    const numClasses = ctx.numClasses;
    const width = 5 + numClasses;
    const threshold = ctx.scoreThreshold;
    const sx = ctx.params.normalizedBoxes ? ctx.inputWidth : 1;
    const sy = ctx.params.normalizedBoxes ? ctx.inputHeight : 1;
    const out: Candidates = { boxes: [], scores: [], classIds: [] };
    for (let row = 0; row < rows; row++) {
      const at = row * width;
      const obj = data[at + 4]!;
      // Class scores are at most 1, so obj alone bounds the score.
      if (!(obj >= threshold)) continue;
      const bestClass = argmaxAt(data, at + 5, numClasses);
      const score = obj * data[at + 5 + bestClass]!;
      if (!(score >= threshold)) continue;
      const cx = data[at]! * sx;
      const cy = data[at + 1]! * sy;
      const hw = (data[at + 2]! * sx) / 2;
      const hh = (data[at + 3]! * sy) / 2;
      out.boxes.push(cx - hw, cy - hh, cx + hw, cy + hh);
      out.scores.push(score);
      out.classIds.push(bestClass);
    }
    return out;
  },
};
