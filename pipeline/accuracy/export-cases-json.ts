import type { EventBox } from '../events/event-model.ts';
import { type ObjectTruth, correctedEventType, objectTruth } from './object-labels.ts';
import type { VerifiedCase } from './verified-case.ts';

/** One line of an export's cases.json: the event-level labels of a verified case. */
export interface ExportedCaseRow {
  readonly caseId: string;
  readonly cameraId: string;
  readonly model: string;
  /** The event type the AI raised. */
  readonly aiType: string;
  readonly verdict: 'confirmed' | 'rejected';
  readonly reason: string | null;
  /** The type it really was (the AI's when confirmed, the worker's correctType), or null for none. */
  readonly correctedType: string | null;
  /** What the verdict says about the boxed objects. */
  readonly objects: ObjectTruth;
  readonly confidence: number;
  readonly openedAt: number;
  readonly verdictAt: number;
  /** The AI's boxes (detector labels and scores, 0-1 coordinates). */
  readonly boxes: readonly EventBox[];
  /** Exported image under images/, or null when the case was not exported. */
  readonly image: string | null;
  /** Why it was not exported; null when it was. */
  readonly skipped: string | null;
  /** True when the exported frame has the AI's boxes drawn on it. */
  readonly drawnFrame: boolean | null;
}

/** Where a case ended up in the export. */
export type CaseOutcome = { readonly image: string; readonly drawn: boolean } | { readonly skipped: string };

/** The cases.json row of a verified case. */
export function exportedCaseRow(c: VerifiedCase, outcome: CaseOutcome): ExportedCaseRow {
  const exported = 'image' in outcome;
  return {
    caseId: c.id,
    cameraId: c.cameraId,
    model: c.model,
    aiType: c.eventType,
    verdict: c.verdict.verdict,
    reason: c.verdict.reason ?? null,
    correctedType: correctedEventType(c.eventType, c.verdict),
    objects: objectTruth(c.verdict),
    confidence: c.confidence,
    openedAt: c.openedAt,
    verdictAt: c.verdict.at,
    boxes: c.boxes,
    image: exported ? `images/${outcome.image}` : null,
    skipped: exported ? null : outcome.skipped,
    drawnFrame: exported ? outcome.drawn : null,
  };
}
