import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { CasesTable, VerdictsTable } from '../db/db-schema.ts';
import type { CaseRecord, CaseStatus, RejectReason, UnitLevel } from './case-model.ts';
import { CASE_STATUSES, UNIT_LEVELS } from './case-model.ts';
import { caseApiJson } from './case-api-json.ts';

const unit = z.number().min(0).max(1);
const normBox = z.tuple([unit, unit, unit, unit]);
const boxes = z.array(z.object({ label: z.string(), score: unit, box: normBox }));
const evidence = z.object({
  first: z.string(),
  latest: z.string(),
  best: z.string(),
  raw: z.string().optional(),
  after: z.string().optional(),
  handledPhoto: z.string().optional(),
});
const status = z.enum(CASE_STATUSES as [CaseStatus, ...CaseStatus[]]);
const level = z.enum(UNIT_LEVELS as [UnitLevel, ...UnitLevel[]]);
const severity = z.enum(['low', 'medium', 'high', 'critical']);
const reason = z.enum(['false_detection', 'wrong_event_type', 'duplicate', 'not_a_violation']);

/** A case row with its verdict's columns (left join: null when there is none). */
export type CaseRow = Omit<Selectable<CasesTable>, 'api_json'> & {
  v_verdict: VerdictsTable['verdict'] | null;
  v_reason: string | null;
  v_correct_type: string | null;
  v_note: string | null;
  v_by: string | null;
  v_at: number | null;
};

const opt = <K extends string, V>(key: K, v: V | null | undefined): Partial<Record<K, V>> => (v === null || v === undefined ? {} : ({ [key]: v } as Record<K, V>));

/** A case row read back from the database, checked (jsonb and enums through zod), as a CaseRecord. */
export function rowToCase(r: CaseRow): CaseRecord {
  const verdict =
    r.v_verdict && r.v_by && r.v_at !== null
      ? {
          verdict: r.v_verdict,
          by: r.v_by,
          at: r.v_at,
          ...opt('reason', r.v_reason === null ? null : (reason.parse(r.v_reason) as RejectReason)),
          ...opt('correctType', r.v_correct_type),
          ...opt('note', r.v_note),
        }
      : undefined;
  return {
    id: r.id,
    version: r.version,
    eventType: r.event_type,
    category: r.category,
    severity: severity.parse(r.severity),
    cameraId: r.camera_id,
    grid: r.grid,
    areaType: r.area_type,
    zone: r.zone,
    ruleId: r.rule_id,
    status: status.parse(r.status),
    openedAt: r.opened_at,
    lastSeenAt: r.last_seen_at,
    firstSeenAt: r.first_seen_at,
    count: r.sighting_count,
    confidence: r.confidence,
    boxes: boxes.parse(r.boxes),
    place: normBox.parse(r.place),
    model: r.model,
    evidence: evidence.parse(r.evidence),
    deadline: r.deadline_at,
    responsibleUnit: r.responsible_unit,
    level: level.parse(r.level),
    reopenCount: r.reopen_count,
    suppressed: r.suppressed,
    ...opt('dispatchedAt', r.dispatched_at),
    ...opt('claimedBy', r.claimed_by),
    ...opt('claimExpiresAt', r.claim_expires_at),
    ...opt('verdict', verdict),
    ...opt('acceptedAt', r.accepted_at),
    ...opt('handledAt', r.handled_at),
    ...opt('closedAt', r.closed_at),
    ...opt('closedBy', r.closed_by),
    ...opt('closeReason', r.close_reason),
    ...opt('overdueAt', r.overdue_at),
    ...opt('catalogueVersion', r.catalogue_version),
  };
}

const ACTIVE_NOT: ReadonlySet<CaseStatus> = new Set<CaseStatus>(['closed', 'rejected']);

/** The case's columns as written (everything but the verdict, which has its own table). */
export function caseToRow(c: CaseRecord): Omit<CasesTable, 'version' | 'suppressed' | 'level' | 'reopen_count' | 'evidence' | 'boxes' | 'place'> & {
  version: number;
  suppressed: number;
  level: string;
  reopen_count: number;
  evidence: string;
  boxes: string;
  place: string;
} {
  return {
    id: c.id,
    version: c.version,
    event_type: c.eventType,
    category: c.category,
    severity: c.severity,
    camera_id: c.cameraId,
    grid: c.grid,
    area_type: c.areaType,
    zone: c.zone,
    status: c.status,
    active: !ACTIVE_NOT.has(c.status),
    pending: (c.status === 'opened' || c.status === 'dispatched' || c.status === 'escalated') && !c.verdict,
    opened_at: c.openedAt,
    first_seen_at: c.firstSeenAt,
    last_seen_at: c.lastSeenAt,
    sighting_count: c.count,
    suppressed: c.suppressed,
    confidence: c.confidence,
    boxes: JSON.stringify(c.boxes),
    place: JSON.stringify(c.place),
    model: c.model,
    rule_id: c.ruleId,
    catalogue_version: c.catalogueVersion ?? null,
    level: c.level,
    responsible_unit: c.responsibleUnit,
    deadline_at: c.deadline,
    dispatched_at: c.dispatchedAt ?? null,
    accepted_at: c.acceptedAt ?? null,
    handled_at: c.handledAt ?? null,
    closed_at: c.closedAt ?? null,
    closed_by: c.closedBy ?? null,
    close_reason: c.closeReason ?? null,
    claimed_by: c.claimedBy ?? null,
    claim_expires_at: c.claimExpiresAt ?? null,
    reopen_count: c.reopenCount,
    overdue_at: c.overdueAt ?? null,
    evidence: JSON.stringify(c.evidence),
    api_json: caseApiJson(c),
  };
}
