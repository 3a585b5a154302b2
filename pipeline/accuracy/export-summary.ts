import type { ExportFormat } from './export-formats.ts';
import type { SkippedCase } from './export-selection.ts';

/** What an export wrote. */
export interface ExportSummary {
  readonly outDir: string;
  readonly format: ExportFormat;
  readonly createdAt: number;
  readonly verifiedCases: number;
  readonly images: number;
  readonly positives: number;
  readonly negatives: number;
  readonly annotations: number;
  readonly classes: readonly string[];
  /** Images with the AI's boxes drawn on them (no raw frame kept). */
  readonly drawnFrames: number;
  readonly skipped: readonly SkippedCase[];
  /** What to pass to `gridworker bench --data`. */
  readonly benchData: string;
}
