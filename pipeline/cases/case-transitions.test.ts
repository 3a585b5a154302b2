import { describe, expect, it } from 'vitest';
import type { CaseRecord } from './case-model.ts';
import { CaseClaimedError, CaseConflictError, CaseDecidedError, CaseInputError } from './case-errors.ts';
import { type UnitEntry, unitIdAt } from './catalogue-units.ts';
import type { UnitLevel } from './case-model.ts';
import { EVIDENCE_A, EVIDENCE_B, testContext, testEvent, testType } from './case-test-fixtures.ts';
import {
  applyVerdict,
  breakClaim,
  claimCase,
  closeCase,
  deadlineMinutesFor,
  escalateCase,
  handleCase,
  isPending,
  markDispatched,
  markOverdue,
  mergeSighting,
  openCase,
  reassignCase,
  recheckOutcome,
  releaseClaim,
  responsibleUnitFor,
  startRecheck,
  suppressSighting,
} from './case-transitions.ts';

const T0 = 1_700_000_000_000;
const LEASE = 15 * 60_000;
const opened = (): CaseRecord => openCase('c_x', testEvent(), testContext('illegal_parking', EVIDENCE_A), T0).next;
const accepted = (): CaseRecord => applyVerdict(opened(), { verdict: 'confirmed', by: 'w1', at: T0 })!.next;

/** The catalogue's entry for unit `name` at `level` (its parent the same name one level up). */
const unitOf = (name: string, level: UnitLevel): UnitEntry => {
  const up = ({ community: 'street_office', street_office: 'district', district: null } as const)[level];
  return { id: unitIdAt(name, level), name, level, parentId: up ? unitIdAt(name, up) : null };
};

describe('case transitions', () => {
  it('opens a case from an event: deadline, responsible unit, evidence, a dispatch job', () => {
    const { next, audit, effects } = openCase('c_x', testEvent(), testContext(), T0);
    expect(next).toMatchObject({
      id: 'c_x',
      version: 1,
      status: 'opened',
      level: 'community',
      count: 1,
      severity: 'medium',
      category: 'A01-03',
      grid: 'g1',
      deadline: T0 + 120 * 60_000,
      responsibleUnit: 'Traffic police, school detail',
      evidence: { first: EVIDENCE_A, latest: EVIDENCE_A, best: EVIDENCE_A },
      firstSeenAt: T0 - 600_000,
    });
    expect(audit).toMatchObject({ action: 'opened', by: 'system', at: T0 });
    expect(effects).toMatchObject({ dispatch: true, sighting: { outcome: 'opened' } });
    const withFirst = openCase('c_y', testEvent(), testContext('illegal_parking', EVIDENCE_A, EVIDENCE_B), T0).next;
    expect(withFirst.evidence).toEqual({ first: EVIDENCE_B, latest: EVIDENCE_A, best: EVIDENCE_A });
    expect(() => openCase('c_z', testEvent(), { ...testContext(), evidence: undefined }, T0)).toThrow(CaseInputError);
  });

  it('merges a sighting: count, last seen, place; evidence and boxes only when more confident', () => {
    const c = opened();
    const weaker = mergeSighting(c, testEvent({ at: T0 + 60_000, confidence: 0.6, place: [0.12, 0.5, 0.32, 0.7] }), testContext('illegal_parking', EVIDENCE_B), T0 + 61_000).next;
    expect(weaker).toMatchObject({ count: 2, version: 2, lastSeenAt: T0 + 60_000, confidence: 0.8, place: [0.12, 0.5, 0.32, 0.7], evidence: { latest: EVIDENCE_A, best: EVIDENCE_A } });
    expect(weaker.boxes).toEqual(c.boxes);
    const stronger = mergeSighting(c, testEvent({ at: T0 + 60_000, confidence: 0.95 }), testContext('illegal_parking', EVIDENCE_B), T0).next;
    expect(stronger).toMatchObject({ confidence: 0.95, evidence: { first: EVIDENCE_A, latest: EVIDENCE_B, best: EVIDENCE_B } });
    expect(suppressSighting(suppressSighting(c, testEvent(), T0).next, testEvent(), T0).next.suppressed).toBe(2);
  });

  it('claims are leases: renew, someone else blocked until expiry, release by holder, break by anyone', () => {
    const claimed = claimCase(opened(), 'w1', T0, LEASE).next;
    expect(claimed).toMatchObject({ status: 'opened', claimedBy: 'w1', claimExpiresAt: T0 + LEASE });
    expect(claimCase(claimed, 'w1', T0 + 1000, LEASE).audit.action).toBe('claim_renewed');
    expect(() => claimCase(claimed, 'w2', T0 + LEASE - 1, LEASE)).toThrow(CaseClaimedError);
    expect(claimCase(claimed, 'w2', T0 + LEASE, LEASE).audit).toMatchObject({ action: 'claimed', detail: { previous: 'w1' } });
    expect(() => releaseClaim(claimed, 'w2', T0)).toThrow(/claimed by w1/);
    expect(releaseClaim(claimed, 'w1', T0)!.next.claimedBy).toBeUndefined();
    expect(releaseClaim(claimed, 'w1', T0 + LEASE)).toBeNull();
    expect(breakClaim(claimed, 'op', T0, 'gone home')!.audit).toMatchObject({ action: 'claim_broken', by: 'op', detail: { holder: 'w1', reason: 'gone home' } });
    const rejected = applyVerdict(opened(), { verdict: 'rejected', reason: 'duplicate', by: 'w1', at: T0 })!.next;
    expect(() => claimCase(rejected, 'w1', T0, LEASE)).toThrow(/only an active case/);
  });

  it('verdicts: idempotent for the same actor, CaseDecidedError naming who decided otherwise', () => {
    const c = opened();
    expect(isPending(c)).toBe(true);
    const rejected = applyVerdict(c, { verdict: 'rejected', reason: 'duplicate', by: 'w1', at: T0 })!;
    expect(rejected.next).toMatchObject({ status: 'rejected', closedAt: T0, verdict: { reason: 'duplicate' } });
    expect(isPending(rejected.next)).toBe(false);
    expect(rejected.audit).toMatchObject({ action: 'rejected', by: 'w1', detail: { reason: 'duplicate' } });
    expect(applyVerdict(rejected.next, { verdict: 'rejected', reason: 'duplicate', by: 'w1', at: T0 + 5 })).toBeNull();
    expect(() => applyVerdict(rejected.next, { verdict: 'rejected', reason: 'duplicate', by: 'w2', at: T0 + 5 })).toThrow(/already decided rejected \(duplicate\) by w1/);
    expect(() => applyVerdict(rejected.next, { verdict: 'confirmed', by: 'w1', at: T0 })).toThrow(CaseDecidedError);
    const claimed = claimCase(c, 'w1', T0, LEASE).next;
    expect(() => applyVerdict(claimed, { verdict: 'confirmed', by: 'w2', at: T0 })).toThrow(/claimed by w1/);
    expect(applyVerdict(claimed, { verdict: 'confirmed', by: 'w2', at: T0 + LEASE })!.next.status).toBe('accepted');
  });

  it.each([
    [{ verdict: 'rejected' }, 'reason'],
    [{ verdict: 'confirmed', reason: 'duplicate' }, 'reason'],
    [{ verdict: 'rejected', reason: 'duplicate', correctType: 'fire_smoke' }, 'correctType'],
    [{ verdict: 'rejected', reason: 'wrong_event_type', correctType: 'illegal_parking' }, 'correctType'],
  ] as const)('rejects verdict %o naming %s', (v, field) => {
    try {
      applyVerdict(opened(), { by: 'w1', at: T0, ...v });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CaseInputError);
      expect((err as CaseInputError).field).toBe(field);
    }
  });

  it('handles only an accepted or reopened case, asks for the re-check, and the re-check closes or reopens', () => {
    expect(() => handleCase(opened(), 'u', T0)).toThrow(/only an accepted or reopened case/);
    const h = handleCase(accepted(), 'unit-1', T0 + 9, { note: 'towed', photo: EVIDENCE_B })!;
    expect(h.next).toMatchObject({ status: 'handled', handledAt: T0 + 9, evidence: { handledPhoto: EVIDENCE_B } });
    expect(h.effects).toMatchObject({ recheck: true, step: { step: 'handled', note: 'towed', photo: EVIDENCE_B }, evidence: [{ role: 'photo', path: EVIDENCE_B }] });
    expect(handleCase(h.next, 'unit-1', T0 + 10)).toBeNull();
    const r = startRecheck(h.next, T0 + 11)!.next;
    expect(r.status).toBe('rechecking');
    expect(startRecheck(r, T0 + 12)).toBeNull();
    const closed = recheckOutcome(r, true, T0 + 20, { path: EVIDENCE_B })!;
    expect(closed.next).toMatchObject({ status: 'closed', closedAt: T0 + 20, evidence: { best: EVIDENCE_A, after: EVIDENCE_B } });
    expect(closed.audit.detail).toEqual({ recheck: 'gone', after: EVIDENCE_B, before: EVIDENCE_A });
    expect(recheckOutcome(closed.next, false, T0 + 30, { path: EVIDENCE_A })).toBeNull();
    const reopened = recheckOutcome(r, false, T0 + 20, { path: EVIDENCE_B, confidence: 0.7 })!.next;
    expect(reopened).toMatchObject({ status: 'reopened', reopenCount: 1, evidence: { latest: EVIDENCE_B, after: EVIDENCE_B } });
    expect(handleCase(reopened, 'unit-1', T0 + 40)!.next.status).toBe('handled');
  });

  it('escalates one level at a time, upwards only, with the level deadline', () => {
    const type = { ...testType('illegal_parking'), deadlineMinutesByLevel: { street_office: 240 } };
    const school = unitOf('Traffic police, school detail', 'community');
    const up = escalateCase(opened(), type, school, 'op', T0 + 5, { reason: 'too big' });
    expect(up.next).toMatchObject({ level: 'street_office', status: 'escalated', deadline: T0 + 5 + 240 * 60_000, responsibleUnit: 'street office: Traffic police, school detail' });
    expect(up.effects).toMatchObject({ dispatch: true, escalation: { fromLevel: 'community', toLevel: 'street_office', reason: 'too big' } });
    expect(up.audit.detail).toMatchObject({ via: 'parent' });
    const mid = unitOf('Traffic police, school detail', 'street_office');
    expect(() => escalateCase(up.next, type, mid, 'op', T0, { toLevel: 'community' })).toThrow(/never moves down/);
    expect(() => escalateCase(up.next, type, mid, 'op', T0, { toLevel: 'street_office' })).toThrow(/never moves down or stays/);
    const top = escalateCase(up.next, type, mid, 'op', T0).next;
    expect(top.level).toBe('district');
    expect(deadlineMinutesFor(type, 'district')).toBe(120);
    expect(() => escalateCase(top, type, unitOf('Traffic police, school detail', 'district'), 'op', T0)).toThrow(/no level above/);
    expect(escalateCase(accepted(), type, school, 'op', T0).next.status).toBe('accepted');
  });

  it("escalates a reassigned case to its current unit's parent, not the type's unit", () => {
    const type = testType('illegal_parking');
    const moved = reassignCase(opened(), 'Fire brigade', { id: 'Fire brigade', level: 'community' }, 'op', T0 + 1)!.next;
    const up = escalateCase(moved, type, unitOf('Fire brigade', 'community'), 'op', T0 + 2);
    expect(up.next.responsibleUnit).toBe('street office: Fire brigade');
    expect(up.audit.detail).toEqual({ fromLevel: 'community', toLevel: 'street_office', fromUnit: 'Fire brigade', toUnit: 'street office: Fire brigade', via: 'parent' });
    // A parent that is not the catalogue's derived name is followed as the table says.
    const odd = escalateCase(moved, type, { id: 'Fire brigade', name: 'Fire brigade', level: 'community', parentId: 'street office: Rescue HQ' }, 'op', T0 + 2);
    expect(odd.next.responsibleUnit).toBe('street office: Rescue HQ');
  });

  it("falls back to the type's unit one level up when the current unit is unknown or has no parent, and says so", () => {
    const type = testType('illegal_parking');
    const lost = { ...opened(), responsibleUnit: 'Disbanded unit' };
    const none = escalateCase(lost, type, null, 'op', T0);
    expect(none.next.responsibleUnit).toBe('street office: Traffic police, school detail');
    expect(none.audit.detail).toMatchObject({ via: 'event_type', fallback: 'unit "Disbanded unit" is not in the units table; sent to the event type\'s street_office unit' });
    const orphan = escalateCase(lost, type, { id: 'Disbanded unit', name: 'Disbanded unit', level: 'community', parentId: null }, 'op', T0);
    expect(orphan.next.responsibleUnit).toBe('street office: Traffic police, school detail');
    expect(orphan.audit.detail).toMatchObject({ via: 'event_type', fallback: expect.stringMatching(/^unit "Disbanded unit" has no parent;/) });
  });

  it('moves a shadow case on escalation and reassignment without a dispatch row', () => {
    const type = testType('illegal_parking');
    const shadow: CaseRecord = { ...opened(), shadow: true };
    const up = escalateCase(shadow, type, unitOf('Traffic police, school detail', 'community'), 'op', T0);
    expect(up.next).toMatchObject({ level: 'street_office', shadow: true });
    expect(up.effects?.dispatch).toBe(false);
    const r = reassignCase(shadow, 'Traffic police', { id: 'Traffic police', level: 'community' }, 'op', T0)!;
    expect(r.next.responsibleUnit).toBe('Traffic police');
    expect(r.effects?.dispatch).toBe(false);
    expect(reassignCase(opened(), 'Traffic police', { id: 'Traffic police', level: 'community' }, 'op', T0)!.effects?.dispatch).toBe(true);
  });

  it('flags overdue once, only while active and not handled', () => {
    const c = opened();
    expect(markOverdue(c, c.deadline)).toBeNull();
    const late = markOverdue(c, c.deadline + 1)!.next;
    expect(late.overdueAt).toBe(c.deadline + 1);
    expect(markOverdue(late, c.deadline + 2)).toBeNull();
    const handled = handleCase(accepted(), 'u', T0)!.next;
    expect(markOverdue(handled, handled.deadline + 1)).toBeNull();
  });

  it('marks dispatch once (opened -> dispatched); picks the responsible unit per area type', () => {
    const d = markDispatched(opened(), T0 + 1)!.next;
    expect(d).toMatchObject({ dispatchedAt: T0 + 1, status: 'dispatched' });
    expect(markDispatched(d, T0 + 2)).toBeNull();
    const t = testContext().type;
    expect(responsibleUnitFor(t, 'market')).toBe('Traffic police');
    expect(responsibleUnitFor({ ...t, responsibleUnit: {} }, 'market')).toBe('unassigned');
    expect(responsibleUnitFor(t, 'market', 'district')).toBe('district: Traffic police');
    expect(() => handleCase(d, 'u', T0)).toThrow(CaseConflictError);
  });

  it('reassigns an active case to another unit at its level: claim cleared, dispatched again; the same unit is a no-op', () => {
    const c = claimCase(opened(), 'w1', T0, LEASE).next;
    expect(c.responsibleUnit).toBe('Traffic police, school detail');
    const r = reassignCase(c, 'Traffic police', { id: 'Traffic police', level: 'community' }, 'op', T0 + 5, 'wrong detail')!;
    expect(r.next).toMatchObject({ responsibleUnit: 'Traffic police', version: c.version + 1, status: 'opened', level: 'community', deadline: c.deadline });
    expect([r.next.claimedBy, r.next.claimExpiresAt]).toEqual([undefined, undefined]);
    expect(r.audit).toEqual({ at: T0 + 5, by: 'op', action: 'reassigned', detail: { fromUnit: 'Traffic police, school detail', toUnit: 'Traffic police', reason: 'wrong detail', claimBrokenFrom: 'w1' } });
    expect(r.effects).toMatchObject({ dispatch: true, step: { step: 'reassigned', note: 'wrong detail' } });
    expect(reassignCase(r.next, 'Traffic police', { id: 'Traffic police', level: 'community' }, 'op', T0 + 6)).toBeNull();
    // An expired lease is not named as broken.
    const lapsed = reassignCase(c, 'Traffic police', { id: 'Traffic police', level: 'community' }, 'op', T0 + LEASE + 1)!;
    expect(lapsed.audit.detail).toEqual({ fromUnit: 'Traffic police, school detail', toUnit: 'Traffic police' });
  });

  it('refuses a reassignment to an unknown unit or one at another level (400 naming both), and of a closed case (409)', () => {
    const cases: [string, { id: string; level: 'community' | 'street_office' | 'district' } | null, RegExp][] = [
      ['Nobody', null, /no unit "Nobody" at the case's community level$/],
      ['street office: Traffic police', { id: 'street office: Traffic police', level: 'street_office' }, /at the case's community level; it is a street_office unit/],
    ];
    for (const [to, unit, message] of cases) {
      try {
        reassignCase(opened(), to, unit, 'op', T0);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(CaseInputError);
        expect((err as CaseInputError).field).toBe('unit');
        expect((err as Error).message).toMatch(message);
      }
    }
    const rejected = applyVerdict(opened(), { verdict: 'rejected', reason: 'duplicate', by: 'w1', at: T0 })!.next;
    expect(() => reassignCase(rejected, 'Traffic police', { id: 'Traffic police', level: 'community' }, 'op', T0)).toThrow(CaseConflictError);
    // Closed and asked for the unit it already has: still a conflict, not a silent success.
    expect(() => reassignCase(rejected, rejected.responsibleUnit, null, 'op', T0)).toThrow(/rejected; a closed case cannot be reassigned/);
  });

  it('closes an active case by hand with a reason; the same close again is a no-op; another close or a rejected case is a conflict', () => {
    const c = claimCase(accepted(), 'w1', T0, LEASE).next;
    const x = closeCase(c, 'op', T0 + 7, { reason: 'duplicate of a phone report', note: 'see ticket 12' })!;
    expect(x.next).toMatchObject({ status: 'closed', closedAt: T0 + 7, closedBy: 'op', closeReason: 'duplicate of a phone report', version: c.version + 1 });
    expect([x.next.claimedBy, x.next.claimExpiresAt]).toEqual([undefined, undefined]);
    expect(isPending(x.next)).toBe(false);
    expect(x.audit).toEqual({ at: T0 + 7, by: 'op', action: 'closed', detail: { reason: 'duplicate of a phone report', manual: true, fromStatus: 'accepted', note: 'see ticket 12' } });
    expect(x.effects).toEqual({ step: { step: 'closed', note: 'duplicate of a phone report: see ticket 12' } });
    expect(closeCase(x.next, 'op2', T0 + 8, { reason: 'duplicate of a phone report' })).toBeNull();
    expect(() => closeCase(x.next, 'op', T0 + 8, { reason: 'something else' })).toThrow(/already closed by op \("duplicate of a phone report"\)/);
    const rejected = applyVerdict(opened(), { verdict: 'rejected', reason: 'duplicate', by: 'w1', at: T0 })!.next;
    expect(() => closeCase(rejected, 'op', T0, { reason: 'x' })).toThrow(/already rejected by w1/);
    const h = handleCase(accepted(), 'u', T0)!.next;
    const byRecheck = recheckOutcome(h, true, T0 + 1, { path: EVIDENCE_B })!.next;
    expect(() => closeCase(byRecheck, 'op', T0 + 2, { reason: 'x' })).toThrow(CaseConflictError);
  });
});
