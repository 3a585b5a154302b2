import type { Candidates, DecodeContext, Decoder, OutputTensor } from './decoder.ts';
import { assertDecodable, checkBatchedRows, formatDims } from './shape.ts';

function checkYolov8(outputs: readonly { name: string; dims: readonly number[] }[], ctx: DecodeContext): string | null {
  if (outputs.length !== 1) return `expected 1 output [1, 4 + classes, N], found ${outputs.length}`;
  const { name, dims } = outputs[0]!;
  const channels = 4 + ctx.numClasses;
  const rank = checkBatchedRows(`output "${name}"`, dims);
  if (rank !== null) return rank;
  if (dims[1] === channels) return null;
  if (dims[2] === channels) {
    return `output "${name}" ${formatDims(dims)} looks transposed: yolov8 expects channels first [1, ${channels}, N] (cx, cy, w, h, ${ctx.numClasses} classes); re-export without the transpose`;
  }
  return `expected output "${name}" channels first [1, ${channels}, N] (cx, cy, w, h and ${ctx.numClasses} classes), found ${formatDims(dims)}`;
}

/**
 * YOLOv8 / YOLO11-style head ("yolov8"). One output [1, 4 + C, N], channels first: planes
 * cx, cy, w, h, then C class scores (already sigmoid, no objectness). Only this layout is
 * accepted; a transposed [1, N, 4 + C] export is refused by check(). Boxes are in input pixels,
 * or 0-1 of the input when `params.normalizedBoxes` (default false). Score = best class score.
 */
export const yolov8Decoder: Decoder = {
  name: 'yolov8',
  check: checkYolov8,
  decode(outputs: readonly OutputTensor[], ctx: DecodeContext): Candidates {
    assertDecodable(yolov8Decoder, outputs, ctx);
    const { dims, data } = outputs[0]!;
    const n = dims[2]!;
    // Class planes are contiguous per class, so take the running best plane by plane.
    const best = new Float32Array(n).fill(-Infinity);
    const bestClass = new Uint32Array(n);
    for (let c = 0; c < ctx.numClasses; c++) {
      const plane = (4 + c) * n;
      for (let i = 0; i < n; i++) {
        const v = data[plane + i]!;
        if (v > best[i]!) {
          best[i] = v;
          bestClass[i] = c;
        }
      }
    }
    const sx = ctx.params.normalizedBoxes ? ctx.inputWidth : 1;
    const sy = ctx.params.normalizedBoxes ? ctx.inputHeight : 1;
    const out: Candidates = { boxes: [], scores: [], classIds: [] };
    for (let i = 0; i < n; i++) {
      const score = best[i]!;
      if (!(score >= ctx.scoreThreshold)) continue;
      const cx = data[i]! * sx;
      const cy = data[n + i]! * sy;
      const hw = (data[2 * n + i]! * sx) / 2;
      const hh = (data[3 * n + i]! * sy) / 2;
      out.boxes.push(cx - hw, cy - hh, cx + hw, cy + hh);
      out.scores.push(score);
      out.classIds.push(bestClass[i]!);
    }
    return out;
  },
};
