import { z } from 'zod';
import type { CasesTable } from '../db/db-schema.ts';
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

const int = z.number().int();
const nullableInt = int.nullable();
const nullableText = z.string().nullable();

/**
 * A case row with its verdict's columns (left join: null when there is none), as the record hands
 * it back: every column read by selectCases (case-list.ts) is checked here, so a column missing from
 * the select (or a type the driver did not convert) fails loudly instead of reading as undefined.
 */
const caseRowSchema = z.object({
  id: z.string().min(1),
  version: int,
  event_type: z.string(),
  category: z.string(),
  severity: z.string(),
  camera_id: z.string(),
  grid: z.string(),
  area_type: z.string(),
  zone: nullableText,
  status: z.string(),
  active: z.boolean(),
  pending: z.boolean(),
  opened_at: int,
  first_seen_at: int,
  last_seen_at: int,
  sighting_count: int,
  suppressed: int,
  confidence: z.number(),
  boxes: z.unknown(),
  place: z.unknown(),
  model: z.string(),
  shadow: z.boolean(),
  rule_id: z.string(),
  catalogue_version: nullableInt,
  level: z.string(),
  responsible_unit: z.string(),
  deadline_at: int,
  dispatched_at: nullableInt,
  accepted_at: nullableInt,
  handled_at: nullableInt,
  closed_at: nullableInt,
  claimed_by: nullableText,
  claim_expires_at: nullableInt,
  reopen_count: int,
  overdue_at: nullableInt,
  evidence: z.unknown(),
  closed_by: nullableText,
  close_reason: nullableText,
  v_verdict: z.enum(['confirmed', 'rejected']).nullable(),
  v_reason: nullableText,
  v_correct_type: nullableText,
  v_note: nullableText,
  v_by: nullableText,
  v_at: nullableInt,
});

/** A case row with its verdict's columns, checked. */
export type CaseRow = z.infer<typeof caseRowSchema>;

/** Checks a row read back from the record; a bad one is an error naming the case (when it has an id) and the column at fault. */
export function parseCaseRow(r: unknown): CaseRow {
  const res = caseRowSchema.safeParse(r);
  if (res.success) return res.data;
  const id = typeof r === 'object' && r !== null && 'id' in r ? ` ${String((r as { id: unknown }).id)}` : '';
  const where = res.error.issues.map((i) => `${i.path.join('.') || '(row)'}: ${i.message}`).join('; ');
  throw new TypeError(`case row${id} read from the record is malformed: ${where}`);
}

const opt = <K extends string, V>(key: K, v: V | null | undefined): Partial<Record<K, V>> => (v === null || v === undefined ? {} : ({ [key]: v } as Record<K, V>));

/** A case row read back from the database, checked (every column, jsonb and enums through zod), as a CaseRecord. */
export function rowToCase(raw: unknown): CaseRecord {
  const r = parseCaseRow(raw);
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
    ...(r.shadow ? { shadow: true } : {}),
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
export function caseToRow(c: CaseRecord): Omit<CasesTable, 'version' | 'suppressed' | 'level' | 'reopen_count' | 'evidence' | 'boxes' | 'place' | 'shadow'> & {
  version: number;
  shadow: boolean;
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
    shadow: c.shadow === true,
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
