/**
 * The dispatch job's data, version 1. The contract is the committed JSON Schema
 * `schemas/dispatch-payload.v1.json` (for consumers in any language); these types mirror it and
 * the unit tests validate built payloads against the file.
 */
import type { EventTypeDef, NormBox, Severity } from '../events/event-model.ts';
import type { CaseRecord } from '../cases/case-model.ts';

/** Version of the payload this module builds. */
export const DISPATCH_PAYLOAD_VERSION = 1;

/** One job of the `dispatch` queue. Field meanings: see schemas/dispatch-payload.v1.json. */
export interface DispatchPayloadV1 {
  readonly version: 1;
  /** Case id; the job id is `<caseId>.v<case version>` (one job per dispatched version). */
  readonly caseId: string;
  readonly eventType: { readonly id: string; readonly category: string; readonly nameZh: string; readonly nameEn: string; readonly severity: Severity };
  readonly camera: { readonly id: string; readonly grid: string; readonly areaType: string };
  /** Zone name, or null for a whole-frame rule. */
  readonly zone: string | null;
  /** Epoch ms of the confirming sighting. */
  readonly detectedAt: number;
  /** Epoch ms first seen. */
  readonly firstSeenAt: number;
  /** Epoch ms the case opened. */
  readonly openedAt: number;
  /** 0-1. */
  readonly confidence: number;
  readonly boxes: readonly { readonly label: string; readonly score: number; readonly box: NormBox }[];
  readonly place: NormBox;
  readonly model: { readonly id: string; readonly version: string };
  /** Paths relative to the evidence folder. */
  readonly evidence: { readonly first: string; readonly latest: string; readonly best: string; readonly raw?: string };
  /** Epoch ms. */
  readonly deadline: number;
  readonly responsibleUnit: string;
  /** BullMQ priority 1-4 (1 first). */
  readonly priority: number;
}

/** BullMQ priority for a severity: lower runs first, so critical is 1 and low 4. */
export function priorityOf(severity: Severity): number {
  return { critical: 1, high: 2, medium: 3, low: 4 }[severity];
}

/** Splits "id@version" at the last "@"; no "@" gives version "unknown". */
export function splitModel(model: string): { id: string; version: string } {
  const at = model.lastIndexOf('@');
  if (at < 0) return { id: model || 'unknown', version: 'unknown' };
  return { id: model.slice(0, at) || 'unknown', version: model.slice(at + 1) || 'unknown' };
}

/** The payload for a case (as it is when queued) and its event type. */
export function buildDispatchPayload(c: CaseRecord, type: EventTypeDef): DispatchPayloadV1 {
  if (type.id !== c.eventType) throw new Error(`case ${c.id} is ${c.eventType}, given the definition of ${type.id}`);
  return {
    version: 1,
    caseId: c.id,
    eventType: { id: type.id, category: c.category, nameZh: type.nameZh, nameEn: type.nameEn, severity: c.severity },
    camera: { id: c.cameraId, grid: c.grid, areaType: c.areaType },
    zone: c.zone,
    detectedAt: c.lastSeenAt,
    firstSeenAt: c.firstSeenAt ?? c.lastSeenAt,
    openedAt: c.openedAt,
    confidence: c.confidence,
    boxes: c.boxes.map((b) => ({ label: b.label, score: b.score, box: b.box })),
    place: c.place,
    model: splitModel(c.model),
    evidence: { first: c.evidence.first, latest: c.evidence.latest, best: c.evidence.best, ...(c.evidence.raw ? { raw: c.evidence.raw } : {}) },
    deadline: c.deadline,
    responsibleUnit: c.responsibleUnit,
    priority: priorityOf(c.severity),
  };
}
