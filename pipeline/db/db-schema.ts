import type { ColumnType, Generated } from 'kysely';

/**
 * The tables of the record as Kysely sees them (migrations in ./migrations/ create them).
 * `bigint` columns hold epoch milliseconds and come back as numbers (open-database.ts sets the
 * int8 parser); jsonb columns are written as JSON text and read back as parsed values, which the
 * owning store checks with zod before use.
 */
export interface Database {
  units: UnitsTable;
  catalogue_versions: CatalogueVersionsTable;
  cases: CasesTable;
  model_promotions: ModelPromotionsTable;
  verdicts: VerdictsTable;
  sightings: SightingsTable;
  evidence: EvidenceTable;
  handling_steps: HandlingStepsTable;
  escalations: EscalationsTable;
  case_audit: CaseAuditTable;
  outbox: OutboxTable;
  camera_memory: CameraMemoryTable;
  case_groups: CaseGroupsTable;
}

/** A JSON column: any JSON on the way in (as text), unknown on the way out (parse it). */
type Json = ColumnType<unknown, string, string>;

export interface UnitsTable {
  id: string;
  name: string;
  level: 'community' | 'street_office' | 'district';
  parent_id: string | null;
  created_at: number;
}

export interface CatalogueVersionsTable {
  version: Generated<number>;
  hash: string;
  catalogue: Json;
  created_at: number;
}

export interface CasesTable {
  id: string;
  version: Generated<number>;
  event_type: string;
  category: string;
  severity: string;
  camera_id: string;
  grid: string;
  area_type: string;
  zone: string | null;
  status: string;
  active: boolean;
  pending: boolean;
  opened_at: number;
  first_seen_at: number;
  last_seen_at: number;
  sighting_count: number;
  suppressed: Generated<number>;
  confidence: number;
  boxes: Json;
  place: Json;
  model: string;
  rule_id: string;
  catalogue_version: number | null;
  level: Generated<string>;
  responsible_unit: string;
  deadline_at: number;
  dispatched_at: number | null;
  accepted_at: number | null;
  handled_at: number | null;
  closed_at: number | null;
  claimed_by: string | null;
  claim_expires_at: number | null;
  reopen_count: Generated<number>;
  overdue_at: number | null;
  evidence: ColumnType<unknown, string | undefined, string>;
  /** A shadow candidate's case (migration 0003-shadow-cases). */
  shadow: Generated<boolean>;
  /** Who closed it by hand, and why (null unless an operator closed it). */
  closed_by: string | null;
  close_reason: string | null;
  /** The case as the API shows it (JSON text), written with every change; pages are aggregated from it. */
  api_json: string;
}

export interface VerdictsTable {
  case_id: string;
  verdict: 'confirmed' | 'rejected';
  reason: string | null;
  correct_type: string | null;
  note: string | null;
  by: string;
  at: number;
}

export interface SightingsTable {
  id: Generated<number>;
  case_id: string;
  outcome: string;
  at: number;
  confidence: number;
  place: Json;
  boxes: Json;
  model: string;
  frame_index: number;
}

export interface EvidenceTable {
  id: Generated<number>;
  case_id: string;
  /** first | latest | best | raw | after | photo */
  role: string;
  path: string;
  score: number | null;
  at: number;
  deleted_at: number | null;
}

export interface HandlingStepsTable {
  id: Generated<number>;
  case_id: string;
  step: string;
  unit: string;
  by: string;
  at: number;
  note: string | null;
  evidence_id: number | null;
}

export interface EscalationsTable {
  id: Generated<number>;
  case_id: string;
  from_level: string;
  to_level: string;
  from_unit: string;
  to_unit: string;
  by: string;
  at: number;
  reason: string | null;
}

export interface CaseAuditTable {
  id: Generated<number>;
  case_id: string;
  case_version: number;
  at: number;
  by: string;
  action: string;
  from_status: string | null;
  to_status: string;
  detail: Json | null;
}

export interface OutboxTable {
  id: Generated<number>;
  topic: string;
  job_id: string;
  case_id: string;
  case_version: number;
  payload: Json;
  created_at: number;
  sent_at: number | null;
  attempts: Generated<number>;
  last_error: string | null;
  claimed_until: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface CameraMemoryTable {
  camera_id: string;
  memory: Json;
  updated_at: number;
}

/** A shadow candidate's promotion (migration 0003-shadow-cases). */
export interface ModelPromotionsTable {
  /** The candidate's card id. */
  model: string;
  promoted_at: number;
  /** "system" (its precision reached the target) or the operator. */
  by: string;
  detail: ColumnType<unknown, string, string>;
}

/** Cases ever opened per camera, event type and shadow flag: the guard of an open (migration 0005-case-groups). */
export interface CaseGroupsTable {
  camera_id: string;
  event_type: string;
  shadow: boolean;
  /** Cases opened in the group so far; bumped by every open, guarded by the count read. */
  opened: number;
}
