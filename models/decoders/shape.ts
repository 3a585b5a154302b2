import { ModelShapeError } from '../errors.ts';
import type { DecodeContext, Decoder, OutputTensor } from './decoder.ts';

/** Formats tensor dims the way error messages show them, e.g. "[1, 2704, 80]". */
export function formatDims(dims: readonly number[]): string {
  return `[${dims.join(', ')}]`;
}

/**
 * Cells along one side of a feature map at `stride` for an input side of `size` pixels.
 * Stride-2 convolutions round up, so a 420-pixel input at stride 32 gives 14 cells.
 */
export function gridCells(size: number, stride: number): number {
  return Math.ceil(size / stride);
}

/**
 * Guards a decode: numClasses must be a positive integer, `decoder.check` must pass and every
 * tensor must hold exactly as many values as its dims say, so a decoder never reads past the
 * end of a buffer. Throws ModelShapeError otherwise.
 */
export function assertDecodable(decoder: Decoder, outputs: readonly OutputTensor[], ctx: DecodeContext): void {
  if (!Number.isInteger(ctx.numClasses) || ctx.numClasses < 1) {
    throw new ModelShapeError(`${decoder.name} decoder: numClasses must be a positive integer, got ${ctx.numClasses}`);
  }
  const problem = decoder.check(outputs, ctx);
  if (problem !== null) throw new ModelShapeError(`${decoder.name} decoder: ${problem}`);
  for (const t of outputs) {
    const expected = t.dims.reduce((a, b) => a * b, 1);
    if (t.data.length !== expected) {
      throw new ModelShapeError(
        `${decoder.name} decoder: output "${t.name}" has dims ${formatDims(t.dims)} (${expected} values) but holds ${t.data.length} values`,
      );
    }
  }
}

/**
 * Checks that `dims` is [1, a, b] (a single image batch of rows); returns a sentence naming
 * the output when it is not, else null.
 */
export function checkBatchedRows(label: string, dims: readonly number[]): string | null {
  if (dims.length !== 3 || dims[0] !== 1) {
    return `expected ${label} to be a 3-D tensor [1, rows, values], found ${formatDims(dims)}`;
  }
  return null;
}
