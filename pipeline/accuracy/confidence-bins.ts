import { AccuracyOptionError } from './accuracy-errors.ts';

/** Default confidence bin edges: [0.3, 0.4), ..., [0.9, 1.0]. */
export const DEFAULT_BIN_EDGES: readonly number[] = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

/** Which bin a confidence falls in. */
export interface ConfidenceBin {
  /** "0.30-0.40", or "<0.30" below the first edge. */
  readonly key: string;
  readonly from: number;
  readonly to: number;
}

/**
 * Checks bin edges: at least two, strictly increasing, within 0-1.
 * @throws AccuracyOptionError naming `binEdges`.
 */
export function checkBinEdges(edges: readonly number[]): void {
  const ok = edges.length >= 2 && edges.every((e, i) => Number.isFinite(e) && e >= 0 && e <= 1 && (i === 0 || e > edges[i - 1]!));
  if (!ok) throw new AccuracyOptionError('binEdges', `must be at least two strictly increasing numbers from 0 to 1, got [${edges.join(', ')}]`);
}

const label = (n: number): string => n.toFixed(2);

/**
 * The bin of a confidence: [edge i, edge i+1), the last bin closed at its top so a confidence of
 * exactly 1.0 has a bin. Below the first edge: one "<first" bin (the rule thresholds usually keep
 * it empty); above the last edge (not a valid score) counts in the last bin.
 */
export function binOf(confidence: number, edges: readonly number[]): ConfidenceBin {
  const first = edges[0]!;
  if (confidence < first) return { key: `<${label(first)}`, from: 0, to: first };
  let i = edges.findIndex((e) => confidence < e) - 1;
  if (i < 0) i = edges.length - 2;
  const from = edges[i]!;
  const to = edges[i + 1]!;
  return { key: `${label(from)}-${label(to)}`, from, to };
}
