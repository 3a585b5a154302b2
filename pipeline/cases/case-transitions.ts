/**
 * Every change a case can go through, as pure functions: the current record and an input in, the
 * next record, its one audit entry and the rows that go with it out (or null: nothing to change,
 * the call was a repeat). The store runs them inside a compare-and-set on the case's version;
 * keeping them pure keeps the loop's rules testable without a database. Time comes in as `now`.
 */
import type { ConfirmedEvent, EventTypeDef } from '../events/event-model.ts';
import { CaseClaimedError, CaseConflictError, CaseDecidedError, CaseInputError } from './case-errors.ts';
import { type AuditEntry, type CaseRecord, type CaseStatus, UNIT_LEVELS, type UnitLevel, type Verdict } from './case-model.ts';
import { type UnitEntry, unitIdAt } from './catalogue-units.ts';

/** An evidence file a change adds to the case's evidence list. */
export interface EvidenceRow {
  readonly role: 'first' | 'latest' | 'best' | 'raw' | 'after' | 'photo';
  readonly path: string;
  readonly score?: number;
}

/** Rows besides the case and its audit entry that a change writes in the same transaction. */
export interface ChangeEffects {
  readonly sighting?: { readonly outcome: string; readonly event: ConfirmedEvent };
  readonly evidence?: readonly EvidenceRow[];
  readonly step?: { readonly step: string; readonly note?: string; readonly photo?: string };
  readonly escalation?: { readonly fromLevel: UnitLevel; readonly toLevel: UnitLevel; readonly fromUnit: string; readonly toUnit: string; readonly reason?: string };
  /** Put a dispatch job in the outbox (job id = case id + version). */
  readonly dispatch?: boolean;
  /** Put a re-check request in the outbox (the patrol visits the camera next). */
  readonly recheck?: boolean;
}

/** A case's next state, its audit entry, and the rows that go with it. */
export interface Change {
  readonly next: CaseRecord;
  readonly audit: AuditEntry;
  readonly effects?: ChangeEffects;
}

/** What the store needs besides the event to open or update a case. */
export interface SightingContext {
  readonly camera: { readonly grid: string; readonly areaType: string };
  readonly type: EventTypeDef;
  /**
   * Evidence paths relative to the evidence folder: `latest` is this sighting, drawn; `first` the
   * first sighting of a persistence event (default `latest`); `raw` the undrawn frame. Absent on a
   * repeat sighting that does not improve the evidence (nothing was rendered for it).
   */
  readonly evidence?: { readonly latest: string; readonly first?: string; readonly raw?: string };
}

/** Statuses that end a case. */
const CLOSED: ReadonlySet<CaseStatus> = new Set<CaseStatus>(['closed', 'rejected']);
/** Statuses waiting for a grid worker's verdict. */
const AWAITING_VERDICT: ReadonlySet<CaseStatus> = new Set<CaseStatus>(['opened', 'dispatched', 'escalated']);

/** True while sightings update the case (anything but closed and rejected). */
export const isActive = (s: CaseStatus): boolean => !CLOSED.has(s);
/** True while the case waits for a verdict (opened, dispatched, or escalated before one). */
export const isPending = (c: Pick<CaseRecord, 'status' | 'verdict'>): boolean => AWAITING_VERDICT.has(c.status) && !c.verdict;

/** The unit responsible for a type in an area type at a level: its entry, else `default`, else "unassigned"; above community, "<level>: <unit>". */
export function responsibleUnitFor(type: EventTypeDef, areaType: string, level: UnitLevel = 'community'): string {
  return unitIdAt(type.responsibleUnit[areaType] ?? type.responsibleUnit.default ?? 'unassigned', level);
}

/** Minutes to handle a type at a level: the per-level entry, else the type's deadline. */
export function deadlineMinutesFor(type: EventTypeDef, level: UnitLevel): number {
  return type.deadlineMinutesByLevel?.[level] ?? type.deadlineMinutes;
}

const bump = (c: CaseRecord, over: Partial<CaseRecord>): CaseRecord => ({ ...c, ...over, version: c.version + 1 });

/** A new case for a confirmed event (status opened), with its dispatch job in the outbox (none for a shadow candidate's event). */
export function openCase(id: string, event: ConfirmedEvent, ctx: SightingContext, now: number): Change {
  const { type, camera } = ctx;
  const evidence = ctx.evidence;
  if (!evidence) throw new CaseInputError('evidence', 'a new case needs its evidence');
  const first = evidence.first ?? evidence.latest;
  const next: CaseRecord = {
    id,
    version: 1,
    eventType: event.eventType,
    category: type.category,
    severity: type.severity,
    cameraId: event.cameraId,
    grid: camera.grid,
    areaType: camera.areaType,
    zone: event.zone,
    ruleId: event.ruleId,
    status: 'opened',
    openedAt: now,
    lastSeenAt: event.at,
    firstSeenAt: event.firstSeenAt,
    count: 1,
    confidence: event.confidence,
    boxes: event.boxes,
    place: event.place,
    model: event.model,
    ...(event.shadow ? { shadow: true } : {}),
    evidence: { first, latest: evidence.latest, best: evidence.latest, ...(evidence.raw ? { raw: evidence.raw } : {}) },
    deadline: now + deadlineMinutesFor(type, 'community') * 60_000,
    responsibleUnit: responsibleUnitFor(type, camera.areaType),
    level: 'community',
    reopenCount: 0,
    suppressed: 0,
  };
  const detail = { ruleId: event.ruleId, zone: event.zone, place: event.place, confidence: event.confidence, model: event.model, evidence: evidence.latest, ...(event.shadow ? { shadow: true } : {}) };
  const rows: EvidenceRow[] = [
    { role: 'first', path: first, score: event.confidence },
    ...(first !== evidence.latest ? [{ role: 'latest' as const, path: evidence.latest, score: event.confidence }] : []),
    ...(evidence.raw ? [{ role: 'raw' as const, path: evidence.raw, score: event.confidence }] : []),
  ];
  return {
    next,
    audit: { at: now, by: 'system', action: 'opened', detail },
    effects: { sighting: { outcome: 'opened', event }, evidence: rows, dispatch: event.shadow !== true },
  };
}

/** True when a sighting would improve the case's evidence (a better score): only then is it rendered. */
export function improvesEvidence(c: CaseRecord, event: ConfirmedEvent): boolean {
  return event.confidence > c.confidence;
}

/**
 * Merges a new sighting of the same thing into an active case: last seen, count and place
 * (later sightings are matched against where the thing is now). The evidence and the boxes it
 * shows change only when the sighting is better and came with rendered evidence.
 */
export function mergeSighting(c: CaseRecord, event: ConfirmedEvent, ctx: SightingContext, now: number): Change {
  const ev = improvesEvidence(c, event) ? ctx.evidence : undefined;
  const next = bump(c, {
    lastSeenAt: Math.max(c.lastSeenAt, event.at),
    count: c.count + 1,
    confidence: Math.max(c.confidence, event.confidence),
    place: event.place,
    model: event.model,
    ...(ev ? { boxes: event.boxes, evidence: { ...c.evidence, latest: ev.latest, best: ev.latest, ...(ev.raw ? { raw: ev.raw } : {}) } } : {}),
  });
  const rows: EvidenceRow[] = ev ? [{ role: 'best', path: ev.latest, score: event.confidence }, ...(ev.raw ? [{ role: 'raw' as const, path: ev.raw, score: event.confidence }] : [])] : [];
  return {
    next,
    audit: { at: now, by: 'system', action: 'updated', detail: { count: next.count, confidence: event.confidence, ...(ev ? { evidence: ev.latest } : {}) } },
    effects: { sighting: { outcome: 'updated', event }, evidence: rows },
  };
}

/** Counts a sighting of a closed case's thing inside its cooldown: no new case. */
export function suppressSighting(c: CaseRecord, event: ConfirmedEvent, now: number): Change {
  return {
    next: bump(c, { suppressed: c.suppressed + 1 }),
    audit: { at: now, by: 'system', action: 'suppressed', detail: { seenAt: event.at, confidence: event.confidence, place: event.place } },
    effects: { sighting: { outcome: 'suppressed', event } },
  };
}

/** Records that the dispatch job was published (opened -> dispatched); a repeat changes nothing. */
export function markDispatched(c: CaseRecord, at: number): Change | null {
  if (c.dispatchedAt !== undefined) return null;
  const status = c.status === 'opened' ? 'dispatched' : c.status;
  return { next: bump(c, { dispatchedAt: at, status }), audit: { at, by: 'system', action: 'dispatched', detail: { unit: c.responsibleUnit } } };
}

const claimHeld = (c: CaseRecord, now: number): boolean => c.claimedBy !== undefined && c.claimExpiresAt !== undefined && c.claimExpiresAt > now;

/**
 * An actor takes a lease on an active case for `leaseMs`. Someone else's live lease is a
 * CaseClaimedError naming the holder; an expired one is taken over; one's own is renewed.
 */
export function claimCase(c: CaseRecord, by: string, now: number, leaseMs: number): Change {
  if (!isActive(c.status)) throw new CaseConflictError(`case ${c.id} is ${c.status}; only an active case can be claimed`);
  if (claimHeld(c, now) && c.claimedBy !== by) throw new CaseClaimedError(c.id, c.claimedBy!, c.claimExpiresAt!);
  const renew = claimHeld(c, now) && c.claimedBy === by;
  const previous = !renew && c.claimedBy ? { previous: c.claimedBy } : {};
  return {
    next: bump(c, { claimedBy: by, claimExpiresAt: now + leaseMs }),
    audit: { at: now, by, action: renew ? 'claim_renewed' : 'claimed', detail: { expiresAt: now + leaseMs, ...previous } },
  };
}

/** The holder gives its lease back. Not claimed (or lapsed): nothing to do; someone else's: CaseClaimedError. */
export function releaseClaim(c: CaseRecord, by: string, now: number): Change | null {
  if (!claimHeld(c, now)) return null;
  if (c.claimedBy !== by) throw new CaseClaimedError(c.id, c.claimedBy!, c.claimExpiresAt!);
  return { next: bump(c, { claimedBy: undefined, claimExpiresAt: undefined }), audit: { at: now, by, action: 'released' } };
}

/** An operator breaks someone's lease (audited with the holder). Not claimed: nothing to do. */
export function breakClaim(c: CaseRecord, by: string, now: number, reason?: string): Change | null {
  if (!claimHeld(c, now)) return null;
  return {
    next: bump(c, { claimedBy: undefined, claimExpiresAt: undefined }),
    audit: { at: now, by, action: 'claim_broken', detail: { holder: c.claimedBy, ...(reason ? { reason } : {}) } },
  };
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
 * Records a verdict: confirmed -> accepted (the unit works on it), rejected -> rejected (closed).
 * The same actor repeating the same verdict changes nothing; any other verdict on a decided case
 * is a CaseDecidedError naming who decided; someone else's live claim is a CaseClaimedError.
 */
export function applyVerdict(c: CaseRecord, v: Verdict): Change | null {
  checkVerdict(c, v);
  if (c.verdict) {
    if (c.verdict.by === v.by && sameVerdict(c.verdict, v)) return null;
    throw new CaseDecidedError(c.id, c.verdict);
  }
  if (claimHeld(c, v.at) && c.claimedBy !== v.by) throw new CaseClaimedError(c.id, c.claimedBy!, c.claimExpiresAt!);
  const detail = { ...(v.reason ? { reason: v.reason } : {}), ...(v.correctType ? { correctType: v.correctType } : {}), ...(v.note ? { note: v.note } : {}) };
  const over: Partial<CaseRecord> = v.verdict === 'confirmed' ? { status: 'accepted', acceptedAt: v.at } : { status: 'rejected', closedAt: v.at };
  return {
    next: bump(c, { ...over, verdict: v }),
    audit: { at: v.at, by: v.by, action: v.verdict, ...(Object.keys(detail).length ? { detail } : {}) },
    effects: { step: { step: v.verdict === 'confirmed' ? 'accepted' : 'rejected', ...(v.note ? { note: v.note } : {}) } },
  };
}

/**
 * The unit marks an accepted (or reopened) case handled, with a note and an optional photo; the
 * re-check is requested in the same transaction. A repeat on a handled / rechecking case changes nothing.
 */
export function handleCase(c: CaseRecord, by: string, now: number, input: { readonly note?: string; readonly photo?: string } = {}): Change | null {
  if (c.status === 'handled' || c.status === 'rechecking') return null;
  if (c.status !== 'accepted' && c.status !== 'reopened') {
    throw new CaseConflictError(`case ${c.id} is ${c.status}; only an accepted or reopened case can be marked handled`);
  }
  const evidence = input.photo ? { ...c.evidence, handledPhoto: input.photo } : c.evidence;
  return {
    next: bump(c, { status: 'handled', handledAt: now, evidence }),
    audit: { at: now, by, action: 'handled', detail: { ...(input.note ? { note: input.note } : {}), ...(input.photo ? { photo: input.photo } : {}) } },
    effects: {
      step: { step: 'handled', ...(input.note ? { note: input.note } : {}), ...(input.photo ? { photo: input.photo } : {}) },
      ...(input.photo ? { evidence: [{ role: 'photo' as const, path: input.photo }] } : {}),
      recheck: true,
    },
  };
}

/** The re-check visit was requested from the patrol (handled -> rechecking); a repeat changes nothing. */
export function startRecheck(c: CaseRecord, now: number): Change | null {
  if (c.status !== 'handled') return null;
  return { next: bump(c, { status: 'rechecking' }), audit: { at: now, by: 'system', action: 'rechecking' } };
}

/**
 * The re-check's outcome: the same rule no longer sees the thing -> closed, with the after frame
 * as evidence (before/after pair); still there -> reopened with the new evidence, counted against
 * the unit. Only a handled / rechecking case is decided; otherwise nothing changes.
 */
export function recheckOutcome(c: CaseRecord, gone: boolean, now: number, after: { readonly path: string; readonly confidence?: number }): Change | null {
  if (c.status !== 'rechecking' && c.status !== 'handled') return null;
  if (gone) {
    return {
      next: bump(c, { status: 'closed', closedAt: now, evidence: { ...c.evidence, after: after.path } }),
      audit: { at: now, by: 'system', action: 'closed', detail: { recheck: 'gone', after: after.path, before: c.evidence.best } },
      effects: { evidence: [{ role: 'after', path: after.path }] },
    };
  }
  return {
    next: bump(c, { status: 'reopened', reopenCount: c.reopenCount + 1, handledAt: undefined, evidence: { ...c.evidence, latest: after.path, after: after.path } }),
    audit: { at: now, by: 'system', action: 'reopened', detail: { recheck: 'still_there', evidence: after.path, ...(after.confidence !== undefined ? { confidence: after.confidence } : {}) } },
    effects: { evidence: [{ role: 'after', path: after.path, ...(after.confidence !== undefined ? { score: after.confidence } : {}) }] },
  };
}

/**
 * Where an escalation sends a case: the parent of the unit the case is with now (after a
 * reassignment that is the new unit's parent, not the type's default); only when that unit is not
 * in the units table or has no parent, the type's unit at the level above, and the audit says so.
 */
function escalationTarget(c: CaseRecord, type: EventTypeDef, current: UnitEntry | null, up: UnitLevel): { toUnit: string; via: Record<string, string> } {
  if (current?.parentId) return { toUnit: current.parentId, via: { via: 'parent' } };
  const why = current ? `unit "${c.responsibleUnit}" has no parent` : `unit "${c.responsibleUnit}" is not in the units table`;
  return { toUnit: responsibleUnitFor(type, c.areaType, up), via: { via: 'event_type', fallback: `${why}; sent to the event type's ${up} unit` } };
}

/**
 * Moves an active case one level up (community -> street office -> district), to the parent of the
 * unit it is with now (`current`: that unit's entry in the units table, null when it has none;
 * see escalationTarget), with that level's deadline. One way only: a district case cannot go
 * further, and nothing ever moves a case down. `toLevel`, when given, must be the next level up.
 * A shadow case is moved but not dispatched (its model sends no one out).
 */
export function escalateCase(
  c: CaseRecord,
  type: EventTypeDef,
  current: UnitEntry | null,
  by: string,
  now: number,
  input: { readonly toLevel?: UnitLevel; readonly reason?: string } = {},
): Change {
  if (!isActive(c.status)) throw new CaseConflictError(`case ${c.id} is ${c.status}; a closed case cannot be escalated`);
  const at = UNIT_LEVELS.indexOf(c.level);
  const up = UNIT_LEVELS[at + 1];
  if (!up) throw new CaseConflictError(`case ${c.id} is already at the ${c.level} level; there is no level above it`);
  if (input.toLevel !== undefined && input.toLevel !== up) {
    const down = UNIT_LEVELS.indexOf(input.toLevel) <= at;
    throw new CaseInputError('toLevel', down ? `a case never moves down or stays (it is at ${c.level})` : `escalation goes one level at a time: next is ${up}`);
  }
  const { toUnit, via } = escalationTarget(c, type, current, up);
  const reason = input.reason ? { reason: input.reason } : {};
  return {
    next: bump(c, { level: up, responsibleUnit: toUnit, status: c.verdict ? c.status : 'escalated', deadline: now + deadlineMinutesFor(type, up) * 60_000, overdueAt: undefined }),
    audit: { at: now, by, action: 'escalated', detail: { fromLevel: c.level, toLevel: up, fromUnit: c.responsibleUnit, toUnit, ...via, ...reason } },
    effects: { escalation: { fromLevel: c.level, toLevel: up, fromUnit: c.responsibleUnit, toUnit, ...reason }, dispatch: c.shadow !== true },
  };
}

/** Flags an active case past its deadline (once). */
export function markOverdue(c: CaseRecord, now: number): Change | null {
  if (!isActive(c.status) || c.overdueAt !== undefined || c.deadline >= now || c.status === 'handled' || c.status === 'rechecking') return null;
  return { next: bump(c, { overdueAt: now }), audit: { at: now, by: 'system', action: 'overdue', detail: { deadline: c.deadline, unit: c.responsibleUnit } } };
}

/** A unit as the reassignment sees it: its id and level (from the units table), or null when there is no such unit. */
export interface UnitRef {
  readonly id: string;
  readonly level: UnitLevel;
}

/**
 * An operator hands an active case to another unit at the case's level (one-level dispatch across
 * departments; moving up is escalation). The case's current unit again changes nothing; an unknown
 * unit, or one at another level, is a CaseInputError naming it and the level. Any claim on the case
 * is cleared (the new unit's workers pick it up), and the dispatch job goes out again (job id =
 * case id + version) to the new unit, except for a shadow case (its model sends no one out).
 */
export function reassignCase(c: CaseRecord, to: string, unit: UnitRef | null, by: string, now: number, reason?: string): Change | null {
  if (!isActive(c.status)) throw new CaseConflictError(`case ${c.id} is ${c.status}; a closed case cannot be reassigned`);
  if (to === c.responsibleUnit) return null;
  if (!unit || unit.level !== c.level) {
    const where = unit ? `; it is a ${unit.level} unit` : '';
    throw new CaseInputError('unit', `no unit "${to}" at the case's ${c.level} level${where}`);
  }
  const holder = c.claimedBy !== undefined && c.claimExpiresAt !== undefined && c.claimExpiresAt > now ? { claimBrokenFrom: c.claimedBy } : {};
  const detail = { fromUnit: c.responsibleUnit, toUnit: to, ...(reason ? { reason } : {}), ...holder };
  return {
    next: bump(c, { responsibleUnit: to, claimedBy: undefined, claimExpiresAt: undefined }),
    audit: { at: now, by, action: 'reassigned', detail },
    effects: { step: { step: 'reassigned', ...(reason ? { note: reason } : {}) }, dispatch: c.shadow !== true },
  };
}

/**
 * An operator closes an active case by hand, with a reason (and an optional note): closed now,
 * audited as `closed` by the operator, the claim cleared. The same close again (a case this
 * close already closed, with the same reason) changes nothing; a case closed otherwise (by the
 * re-check, by a different close) or rejected is a CaseConflictError saying how it ended.
 */
export function closeCase(c: CaseRecord, by: string, now: number, input: { readonly reason: string; readonly note?: string }): Change | null {
  if (!isActive(c.status)) {
    if (c.status === 'closed' && c.closedBy !== undefined && c.closeReason === input.reason) return null;
    const how = c.closedBy !== undefined ? ` by ${c.closedBy} ("${c.closeReason ?? ''}")` : c.status === 'rejected' && c.verdict ? ` by ${c.verdict.by}` : '';
    throw new CaseConflictError(`case ${c.id} is already ${c.status}${how}`);
  }
  return {
    next: bump(c, { status: 'closed', closedAt: now, closedBy: by, closeReason: input.reason, claimedBy: undefined, claimExpiresAt: undefined }),
    audit: { at: now, by, action: 'closed', detail: { reason: input.reason, manual: true, fromStatus: c.status, ...(input.note ? { note: input.note } : {}) } },
    effects: { step: { step: 'closed', note: input.note ? `${input.reason}: ${input.note}` : input.reason } },
  };
}
