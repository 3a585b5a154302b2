/**
 * Every change a case can go through, as pure functions: the current record and an input in, the
 * next record and its audit entries out (or null: nothing to change, the call was a repeat).
 * The store runs them inside a compare-and-set loop; keeping them pure keeps the rules testable
 * without Redis.
 */
import type { AuditEntry, CaseRecord, CaseStatus, ConfirmedEvent, EventTypeDef, Verdict } from '../events/event-model.ts';
import { CaseConflictError, CaseInputError } from './case-errors.ts';

/** A case's next state and what to append to its audit trail. */
export interface Change {
  readonly next: CaseRecord;
  readonly audit: readonly AuditEntry[];
}

/** What the case store needs besides the event to open or update a case. */
export interface SightingContext {
  readonly camera: { readonly grid: string; readonly areaType: string };
  readonly type: EventTypeDef;
  /**
   * Evidence paths relative to the evidence folder: `latest` is this sighting, drawn; `first`
   * the first sighting of a persistence event (default `latest`); `raw` the undrawn frame.
   */
  readonly evidence: { readonly latest: string; readonly first?: string; readonly raw?: string };
}

/** Statuses in which new sightings update the case (it is still being handled). */
const ACTIVE: ReadonlySet<CaseStatus> = new Set<CaseStatus>(['open', 'claimed', 'confirmed']);
/** Statuses waiting for a grid worker's verdict. */
const PENDING: ReadonlySet<CaseStatus> = new Set<CaseStatus>(['open', 'claimed']);

/** True while sightings update the case (open, claimed, confirmed). */
export const isActive = (s: CaseStatus): boolean => ACTIVE.has(s);
/** True while the case waits for a verdict (open, claimed). */
export const isPending = (s: CaseStatus): boolean => PENDING.has(s);

/** When a closed case closed (verdict time of a rejection, resolution time), or undefined while active. */
export function closedAt(c: CaseRecord): number | undefined {
  if (c.status === 'resolved') return c.resolvedAt;
  if (c.status === 'rejected') return c.verdict?.at;
  return undefined;
}

/** The unit responsible for a type in an area type: its entry, else `default`, else "unassigned". */
export function responsibleUnitFor(type: EventTypeDef, areaType: string): string {
  return type.responsibleUnit[areaType] ?? type.responsibleUnit.default ?? 'unassigned';
}

/** A new case for a confirmed event (status open). */
export function openCase(id: string, event: ConfirmedEvent, ctx: SightingContext, now: number): Change {
  const { type, camera, evidence } = ctx;
  const next: CaseRecord = {
    id,
    eventType: event.eventType,
    category: type.category,
    severity: type.severity,
    cameraId: event.cameraId,
    grid: camera.grid,
    areaType: camera.areaType,
    zone: event.zone,
    status: 'open',
    openedAt: now,
    lastSeenAt: event.at,
    firstSeenAt: event.firstSeenAt,
    count: 1,
    confidence: event.confidence,
    boxes: event.boxes,
    place: event.place,
    model: event.model,
    evidence: { first: evidence.first ?? evidence.latest, latest: evidence.latest, best: evidence.latest, ...(evidence.raw ? { raw: evidence.raw } : {}) },
    deadline: now + type.deadlineMinutes * 60_000,
    responsibleUnit: responsibleUnitFor(type, camera.areaType),
  };
  const detail = { ruleId: event.ruleId, zone: event.zone, place: event.place, confidence: event.confidence, model: event.model, evidence: evidence.latest };
  return { next, audit: [{ at: now, by: 'system', action: 'opened', detail }] };
}

/** Merges a new sighting of the same thing into an active case: last seen, count, latest and best evidence. */
export function mergeSighting(c: CaseRecord, event: ConfirmedEvent, ctx: SightingContext, now: number): Change {
  const better = event.confidence > c.confidence;
  const { latest, raw } = ctx.evidence;
  const next: CaseRecord = {
    ...c,
    lastSeenAt: Math.max(c.lastSeenAt, event.at),
    count: c.count + 1,
    confidence: Math.max(c.confidence, event.confidence),
    // Where the thing is now: later sightings are matched against the latest place.
    boxes: event.boxes,
    place: event.place,
    model: event.model,
    evidence: { ...c.evidence, latest, best: better ? latest : c.evidence.best, ...(raw ? { raw } : {}) },
  };
  return { next, audit: [{ at: now, by: 'system', action: 'updated', detail: { count: next.count, confidence: event.confidence, evidence: latest } }] };
}

/** Counts a sighting of a closed case's thing inside its cooldown: no new case. */
export function suppressSighting(c: CaseRecord, event: ConfirmedEvent, now: number): Change {
  const next: CaseRecord = { ...c, suppressed: (c.suppressed ?? 0) + 1 };
  return { next, audit: [{ at: now, by: 'system', action: 'suppressed', detail: { seenAt: event.at, confidence: event.confidence, place: event.place } }] };
}

/** True while `c` is claimed and the claim's lease has not run out (a claim without a lease end is stale). */
export function liveClaim(c: CaseRecord, now: number): boolean {
  return c.status === 'claimed' && c.claimExpiresAt !== undefined && now < c.claimExpiresAt;
}

/**
 * A grid worker takes a pending case for `leaseMs`. Repeating one's own live claim changes
 * nothing; a claim whose lease ran out may be taken by anyone (audited with the previous holder).
 */
export function claimCase(c: CaseRecord, by: string, now: number, leaseMs: number): Change | null {
  const live = liveClaim(c, now);
  if (live && c.claimedBy === by) return null;
  if (live) throw new CaseConflictError(`case ${c.id} is claimed by ${c.claimedBy ?? 'someone else'} until ${new Date(c.claimExpiresAt!).toISOString()}`);
  if (c.status !== 'open' && c.status !== 'claimed') throw new CaseConflictError(`case ${c.id} is already ${c.status}; only open cases can be claimed`);
  const detail = c.status === 'claimed' ? { detail: { expiredClaimOf: c.claimedBy ?? null } } : {};
  return { next: { ...c, status: 'claimed', claimedBy: by, claimExpiresAt: now + leaseMs }, audit: [{ at: now, by, action: 'claimed', ...detail }] };
}

/**
 * Gives a claimed case back (status open). The holder may release it; anyone else only with
 * `force` (an operator breaking the claim: audited as claim_broken naming the holder). A case
 * that is not claimed changes nothing.
 */
export function releaseCase(c: CaseRecord, by: string, now: number, force: boolean): Change | null {
  if (c.status !== 'claimed') return null;
  const { claimedBy: holder, claimExpiresAt: _lease, ...rest } = c;
  if (holder !== by && !force && liveClaim(c, now)) throw new CaseConflictError(`case ${c.id} is claimed by ${holder ?? 'someone else'}; only they or an operator can release it`);
  const action = holder === by ? 'released' : 'claim_broken';
  return { next: { ...rest, status: 'open' }, audit: [{ at: now, by, action, detail: { holder: holder ?? null } }] };
}

const sameVerdict = (a: Verdict, b: Verdict): boolean => a.verdict === b.verdict && a.reason === b.reason && a.correctType === b.correctType;

/** Throws CaseInputError unless the verdict's fields fit together (and fit the case). */
export function checkVerdict(c: CaseRecord, v: Verdict): void {
  if (v.verdict === 'rejected' && !v.reason) throw new CaseInputError('reason', 'required when the verdict is rejected');
  if (v.verdict === 'confirmed' && v.reason) throw new CaseInputError('reason', 'only with a rejected verdict');
  if (v.correctType !== undefined && v.reason !== 'wrong_event_type') throw new CaseInputError('correctType', 'only with reason wrong_event_type');
  if (v.correctType === c.eventType) throw new CaseInputError('correctType', `is the case's own type "${c.eventType}"`);
}

/**
 * Records a verdict. The same verdict again by the same person changes nothing; any other verdict
 * on a decided case is a conflict naming who decided, as is a verdict on a case someone else
 * holds a live claim on.
 */
export function applyVerdict(c: CaseRecord, v: Verdict): Change | null {
  checkVerdict(c, v);
  if (c.verdict) {
    // Only the decider's own repeat is idempotent: anyone else learns who decided, never a 200.
    if (c.verdict.by === v.by && sameVerdict(c.verdict, v)) return null;
    throw new CaseConflictError(`case ${c.id} was already decided by ${c.verdict.by}: ${c.verdict.verdict}${c.verdict.reason ? ` (${c.verdict.reason})` : ''}`);
  }
  if (liveClaim(c, v.at) && c.claimedBy !== v.by) throw new CaseConflictError(`case ${c.id} is claimed by ${c.claimedBy ?? 'someone else'}`);
  const detail = { ...(v.reason ? { reason: v.reason } : {}), ...(v.correctType ? { correctType: v.correctType } : {}), ...(v.note ? { note: v.note } : {}) };
  return { next: { ...c, status: v.verdict, verdict: v }, audit: [{ at: v.at, by: v.by, action: v.verdict, detail }] };
}

/** Marks a confirmed case handled. Resolving a resolved case changes nothing; anything else is a conflict. */
export function resolveCase(c: CaseRecord, by: string, now: number, note?: string): Change | null {
  if (c.status === 'resolved') return null;
  if (c.status !== 'confirmed') throw new CaseConflictError(`case ${c.id} is ${c.status}; only a case with a confirmed verdict can be resolved`);
  return { next: { ...c, status: 'resolved', resolvedAt: now }, audit: [{ at: now, by, action: 'resolved', ...(note ? { detail: { note } } : {}) }] };
}

/** Records that the dispatch job was added; a second time changes nothing. */
export function markDispatched(c: CaseRecord, at: number): Change | null {
  if (c.dispatchedAt !== undefined) return null;
  return { next: { ...c, dispatchedAt: at }, audit: [{ at, by: 'system', action: 'dispatched' }] };
}
