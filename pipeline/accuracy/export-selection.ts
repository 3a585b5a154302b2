import type { EventBox, NormBox } from '../events/event-model.ts';
import { type ObjectTruth, objectTruth } from './object-labels.ts';
import type { VerifiedCase } from './verified-case.ts';

/** Which evidence frame's boxes a case's `boxes` describe (when no raw frame is kept). */
export type EvidenceFrame = 'best' | 'latest';

/** Options of {@link selectForExport}. */
export interface SelectionOptions {
  /** Export false detections as images with no objects. Default false. */
  readonly includeRejectedAsNegatives?: boolean;
  /** Drawn frame to use when a case has no raw frame. Default 'best'. */
  readonly frame?: EvidenceFrame;
}

/** An object label for the exported image: a detector class and its box, 0-1. */
export interface ExportObject {
  readonly label: string;
  readonly box: NormBox;
}

/** One case chosen for export. */
export interface ExportItem {
  readonly case: VerifiedCase;
  /** positive: its objects are labelled; negative: an image with no objects. */
  readonly kind: 'positive' | 'negative';
  /** Evidence path relative to the evidence folder. */
  readonly source: string;
  /** True when the frame has the AI's boxes drawn on it (no raw frame was kept). */
  readonly drawn: boolean;
  readonly objects: readonly ExportObject[];
}

/** A verified case left out, and why. */
export interface SkippedCase {
  readonly caseId: string;
  readonly reason: string;
}

const clip = (v: number): number => Math.min(1, Math.max(0, v));

function objectsOf(boxes: readonly EventBox[]): ExportObject[] {
  return boxes
    .map((b) => ({ label: b.label, box: [clip(b.box[0]), clip(b.box[1]), clip(b.box[2]), clip(b.box[3])] as const }))
    .filter((o) => o.box[2] > o.box[0] && o.box[3] > o.box[1]);
}

const SKIP_REASON: Record<Exclude<ObjectTruth, 'real'>, string> = {
  false: 'false detection (use --include-rejected-as-negatives to export it as an image without objects)',
  duplicate: 'duplicate of another case',
  unknown: 'rejected without a reason: unknown whether its objects are real',
};

/**
 * Chooses what to export from verified cases, by what the verdict says about the objects (see
 * ObjectTruth): real objects become labelled images, false detections optional empty images.
 * The frame is the raw one when kept, else the drawn `frame` ('best' by default).
 */
export function selectForExport(cases: readonly VerifiedCase[], options: SelectionOptions = {}): { items: ExportItem[]; skipped: SkippedCase[] } {
  const items: ExportItem[] = [];
  const skipped: SkippedCase[] = [];
  for (const c of cases) {
    const truth = objectTruth(c.verdict);
    const negative = truth === 'false' && options.includeRejectedAsNegatives === true;
    if (truth !== 'real' && !negative) {
      skipped.push({ caseId: c.id, reason: SKIP_REASON[truth] });
      continue;
    }
    const objects = negative ? [] : objectsOf(c.boxes);
    if (!negative && !objects.length) {
      skipped.push({ caseId: c.id, reason: 'no boxes with an area' });
      continue;
    }
    const raw = c.evidence.raw;
    items.push({ case: c, kind: negative ? 'negative' : 'positive', source: raw ?? c.evidence[options.frame ?? 'best'], drawn: raw === undefined, objects });
  }
  return { items, skipped };
}
