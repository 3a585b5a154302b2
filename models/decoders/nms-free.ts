import { DecoderError } from '../errors.ts';
import type { Candidates, DecodeContext, Decoder, OutputTensor } from './decoder.ts';
import { assertDecodable, checkBatchedRows, formatDims } from './shape.ts';

function checkNmsFree(outputs: readonly { name: string; dims: readonly number[] }[]): string | null {
  if (outputs.length !== 1) return `expected 1 output [1, K, 6], found ${outputs.length}`;
  const { name, dims } = outputs[0]!;
  const rank = checkBatchedRows(`output "${name}"`, dims);
  if (rank !== null) return rank;
  if (dims[2] !== 6) return `expected output "${name}" rows of x1, y1, x2, y2, score, class [1, K, 6], found ${formatDims(dims)}`;
  return null;
}

/**
 * NMS-free head ("nms-free", e.g. YOLOv10 or end-to-end exports). One output [1, K, 6], rows
 * (x1, y1, x2, y2, score, classId); rows scoring below the threshold (padding included) are
 * dropped. Boxes are in input pixels, or 0-1 of the input when `params.normalizedBoxes`
 * (default false). A kept row whose class id is not an integer in [0, numClasses) throws
 * DecoderError: it means the card's labels do not match the model.
 */
export const nmsFreeDecoder: Decoder = {
  name: 'nms-free',
  check: checkNmsFree,
  decode(outputs: readonly OutputTensor[], ctx: DecodeContext): Candidates {
    assertDecodable(nmsFreeDecoder, outputs, ctx);
    const { dims, data } = outputs[0]!;
    const sx = ctx.params.normalizedBoxes ? ctx.inputWidth : 1;
    const sy = ctx.params.normalizedBoxes ? ctx.inputHeight : 1;
    const out: Candidates = { boxes: [], scores: [], classIds: [] };
    for (let row = 0; row < dims[1]!; row++) {
      const at = row * 6;
      const score = data[at + 4]!;
      if (!(score >= ctx.scoreThreshold)) continue;
      const classId = data[at + 5]!;
      if (!Number.isInteger(classId) || classId < 0 || classId >= ctx.numClasses) {
        throw new DecoderError(`nms-free decoder: row ${row} has class id ${classId}, expected an integer in 0..${ctx.numClasses - 1}`);
      }
      out.boxes.push(data[at]! * sx, data[at + 1]! * sy, data[at + 2]! * sx, data[at + 3]! * sy);
      out.scores.push(score);
      out.classIds.push(classId);
    }
    return out;
  },
};
