/**
 * The case model: what a case is, its life, a grid worker's verdict and the audit trail. The
 * events stage hands a ConfirmedEvent in (through CaseIntake); dispatch, the API and accuracy
 * read these types. The store behind them is the record (PostgreSQL or the embedded database).
 */
import type { EventBox, NormBox, Severity } from '../events/event-model.ts';

/**
 * Life of a case, the district's closed loop:
 * opened -> dispatched (to the responsible unit) -> accepted (a grid worker confirmed it) ->
 * handled (the unit says it is dealt with) -> rechecking (the patrol looks again) -> closed, or
 * reopened (still there: back to the unit); rejected (a false positive) ends it too; escalated
 * (moved up one level: community -> street office -> district) waits for the upper unit.
 */
export type CaseStatus = 'opened' | 'dispatched' | 'accepted' | 'handled' | 'rechecking' | 'closed' | 'reopened' | 'rejected' | 'escalated';

/** Every status, in loop order (for validation and the UI's filters). */
export const CASE_STATUSES: readonly CaseStatus[] = ['opened', 'dispatched', 'accepted', 'handled', 'rechecking', 'closed', 'reopened', 'rejected', 'escalated'];

/** Levels a case can be handled at, lowest first. Escalation only moves up this list. */
export type UnitLevel = 'community' | 'street_office' | 'district';

/** The levels in order, lowest first. */
export const UNIT_LEVELS: readonly UnitLevel[] = ['community', 'street_office', 'district'];

/** Why a grid worker rejected an AI hit. */
export type RejectReason = 'false_detection' | 'wrong_event_type' | 'duplicate' | 'not_a_violation';

/** A grid worker's verdict on a case. */
export interface Verdict {
  readonly verdict: 'confirmed' | 'rejected';
  /** Required when rejected. */
  readonly reason?: RejectReason;
  /** The event type the worker says it really is (with reason wrong_event_type). */
  readonly correctType?: string;
  readonly note?: string;
  /** Who gave it (the authenticated actor). */
  readonly by: string;
  /** Epoch ms. */
  readonly at: number;
}

/** One line of a case's audit trail: one per transition. */
export interface AuditEntry {
  readonly at: number;
  /** Who: the actor, or "system" (the AI, dispatch, the re-check). */
  readonly by: string;
  /** opened | updated | suppressed | dispatched | claimed | released | claim_broken | confirmed | rejected | handled | rechecking | closed | reopened | escalated | reassigned | overdue ... */
  readonly action: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** Evidence of a case: paths relative to the evidence folder. */
export interface CaseEvidence {
  /** First sighting (boxes drawn). */
  readonly first: string;
  /** Latest sighting (boxes drawn). */
  readonly latest: string;
  /** Best-scoring sighting (boxes drawn). */
  readonly best: string;
  /** The undrawn frame of the sighting whose boxes are in `boxes` (training exports). */
  readonly raw?: string;
  /** The re-check frame after handling: with `first`/`best` the before/after pair. */
  readonly after?: string;
  /** A photo uploaded by the unit when it marked the case handled. */
  readonly handledPhoto?: string;
}

/** A case: one confirmed event at one place on one camera, updated while it stays active. */
export interface CaseRecord {
  /** Stable id; with `version` also the dispatch job id (idempotent). */
  readonly id: string;
  /** Bumped by every change (optimistic concurrency; the outbox job id carries it). */
  readonly version: number;
  readonly eventType: string;
  readonly category: string;
  readonly severity: Severity;
  readonly cameraId: string;
  readonly grid: string;
  readonly areaType: string;
  readonly zone: string | null;
  readonly ruleId: string;
  readonly status: CaseStatus;
  readonly openedAt: number;
  readonly lastSeenAt: number;
  /** Epoch ms the thing was first seen. */
  readonly firstSeenAt: number;
  /** Sightings merged into this case. */
  readonly count: number;
  /** Best confidence seen. */
  readonly confidence: number;
  readonly boxes: readonly EventBox[];
  readonly place: NormBox;
  /** "id@version" of the model that produced the hit. */
  readonly model: string;
  readonly evidence: CaseEvidence;
  /** Epoch ms by which it must be handled (from the catalogue, per type and level). */
  readonly deadline: number;
  /** Unit handling it now, and its level. */
  readonly responsibleUnit: string;
  readonly level: UnitLevel;
  readonly dispatchedAt?: number;
  /** Holder of the claim lease, and when the lease ends (epoch ms). */
  readonly claimedBy?: string;
  readonly claimExpiresAt?: number;
  readonly verdict?: Verdict;
  readonly acceptedAt?: number;
  readonly handledAt?: number;
  /** When it closed (re-check found it gone, rejected, or an operator closed it). */
  readonly closedAt?: number;
  /** The operator who closed it by hand (POST /api/cases/:id/close), and the reason given. */
  readonly closedBy?: string;
  readonly closeReason?: string;
  /** Times the re-check found it still there. */
  readonly reopenCount: number;
  /** When it was flagged overdue (past its deadline while active). */
  readonly overdueAt?: number;
  /** Sightings of the same thing dropped by the cooldown after the case closed. */
  readonly suppressed: number;
  /** Version of the event-type catalogue it was opened under (`catalogue_versions`), when recorded. */
  readonly catalogueVersion?: number;
}
