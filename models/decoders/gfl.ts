import { argmaxAt } from './argmax.ts';
import type { Candidates, DecodeContext, Decoder, OutputTensor } from './decoder.ts';
import { assertDecodable, checkBatchedRows, formatDims, gridCells } from './shape.ts';

/** GFL distribution bins minus one when the card gives no `regMax` (PicoDet and NanoDet use 7). */
export const GFL_DEFAULT_REG_MAX = 7;

type Shape = { name: string; dims: readonly number[] };

function checkGfl(outputs: readonly Shape[], ctx: DecodeContext): string | null {
  const strides = ctx.params.strides;
  if (strides === undefined || strides.length === 0) {
    return 'gfl needs decoderParams.strides (e.g. [8, 16, 32, 64] for PicoDet, [8, 16, 32] for NanoDet)';
  }
  const levels = strides.length;
  const regMax = ctx.params.regMax ?? GFL_DEFAULT_REG_MAX;
  const boxValues = 4 * (regMax + 1);
  if (outputs.length !== 2 * levels) {
    return `expected ${2 * levels} outputs (${levels} class-score tensors then ${levels} box-distribution tensors for strides ${strides.join(', ')}), found ${outputs.length}`;
  }
  for (let level = 0; level < levels; level++) {
    const stride = strides[level]!;
    const cells = gridCells(ctx.inputWidth, stride) * gridCells(ctx.inputHeight, stride);
    const cls = outputs[level]!;
    const box = outputs[level + levels]!;
    const expectedCls = formatDims([1, cells, ctx.numClasses]);
    const expectedBox = formatDims([1, cells, boxValues]);
    const rank = checkBatchedRows(`class output ${level} ("${cls.name}")`, cls.dims) ?? checkBatchedRows(`box output ${level + levels} ("${box.name}")`, box.dims);
    if (rank !== null) return rank;
    if (cls.dims[1] !== cells || box.dims[1] !== cells) {
      return `stride ${stride} on a ${ctx.inputWidth}x${ctx.inputHeight} input has ${cells} cells, so expected class output ${level} ${expectedCls} and box output ${level + levels} ${expectedBox}, found ${formatDims(cls.dims)} and ${formatDims(box.dims)}`;
    }
    if (cls.dims[2] !== ctx.numClasses) {
      return `expected class output ${level} ("${cls.name}") to end in ${ctx.numClasses} classes ${expectedCls}, found ${formatDims(cls.dims)}`;
    }
    if (box.dims[2] !== boxValues) {
      return `expected box output ${level + levels} ("${box.name}") to end in 4 x (regMax ${regMax} + 1) = ${boxValues} bins ${expectedBox}, found ${formatDims(box.dims)}`;
    }
  }
  return null;
}

/** Expected bin index of one side's distribution (softmax over `bins` logits starting at `at`). */
export function expectedBin(reg: Float32Array, at: number, bins: number): number {
  let max = -Infinity;
  for (let j = 0; j < bins; j++) max = Math.max(max, reg[at + j]!);
  let sum = 0;
  let weighted = 0;
  for (let j = 0; j < bins; j++) {
    const e = Math.exp(reg[at + j]! - max);
    sum += e;
    weighted += j * e;
  }
  return weighted / sum;
}

/** True when any of the `count` scores from `at` reaches `threshold` (false for NaN scores). */
function anyAtLeast(scores: Float32Array, at: number, count: number, threshold: number): boolean {
  const end = at + count;
  for (let i = at; i < end; i++) if (scores[i]! >= threshold) return true;
  return false;
}

function decodeLevel(cls: OutputTensor, reg: OutputTensor, stride: number, ctx: DecodeContext, out: Candidates): void {
  const numClasses = ctx.numClasses;
  const threshold = ctx.scoreThreshold;
  const bins = (ctx.params.regMax ?? GFL_DEFAULT_REG_MAX) + 1;
  const cols = gridCells(ctx.inputWidth, stride);
  const cells = cls.dims[1]!;
  const scores = cls.data;
  const dist = reg.data;
  const half = (stride - 1) / 2;
  for (let cell = 0; cell < cells; cell++) {
    const base = cell * numClasses;
    // A compare-only scan is the hot loop (every class of every cell); most cells stop here,
    // so the argmax and the softmax work run only for cells that pass.
    if (!anyAtLeast(scores, base, numClasses, threshold)) continue;
    const bestClass = argmaxAt(scores, base, numClasses);
    const cx = (cell % cols) * stride + half;
    const cy = Math.floor(cell / cols) * stride + half;
    const at = cell * 4 * bins;
    out.boxes.push(
      cx - expectedBin(dist, at, bins) * stride,
      cy - expectedBin(dist, at + bins, bins) * stride,
      cx + expectedBin(dist, at + 2 * bins, bins) * stride,
      cy + expectedBin(dist, at + 3 * bins, bins) * stride,
    );
    out.scores.push(scores[base + bestClass]!);
    out.classIds.push(bestClass);
  }
}

/**
 * PicoDet / NanoDet GFL head ("gfl"). Outputs: L class-score tensors [1, N_l, C] (already
 * sigmoid) followed by L box-distribution tensors [1, N_l, 4 * (regMax + 1)], one pair per stride
 * in `params.strides` (required, no default); `params.regMax` defaults to 7. N_l is
 * ceil(inputWidth / s) * ceil(inputHeight / s), cells in row-major order. A cell's anchor centre is
 * (col * s + (s - 1) / 2, row * s + (s - 1) / 2); each side (left, top, right, bottom) is the
 * expectation of the softmax over its bins, times s. Score = max class score. Boxes are not
 * clipped to the input.
 */
export const gflDecoder: Decoder = {
  name: 'gfl',
  check: checkGfl,
  decode(outputs: readonly OutputTensor[], ctx: DecodeContext): Candidates {
    assertDecodable(gflDecoder, outputs, ctx);
    const strides = ctx.params.strides ?? [];
    const out: Candidates = { boxes: [], scores: [], classIds: [] };
    for (let level = 0; level < strides.length; level++) {
      decodeLevel(outputs[level]!, outputs[level + strides.length]!, strides[level]!, ctx, out);
    }
    return out;
  },
};
