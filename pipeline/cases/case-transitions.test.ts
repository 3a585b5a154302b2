import { describe, expect, it } from 'vitest';
import type { CaseRecord } from '../events/event-model.ts';
import { CaseConflictError, CaseInputError } from './case-errors.ts';
import { EVIDENCE_A, EVIDENCE_B, testContext, testEvent } from './case-test-fixtures.ts';
import { applyVerdict, claimCase, releaseCase, closedAt, markDispatched, mergeSighting, openCase, resolveCase, responsibleUnitFor, suppressSighting } from './case-transitions.ts';

const T0 = 1_700_000_000_000;
const LEASE = 15 * 60_000;
const opened = (): CaseRecord => openCase('c_x', testEvent(), testContext('illegal_parking', EVIDENCE_A), T0).next;

describe('case transitions', () => {
  it('opens a case from an event: deadline, responsible unit, evidence first = latest = best', () => {
    const { next, audit } = openCase('c_x', testEvent(), testContext(), T0);
    expect(next).toMatchObject({
      id: 'c_x',
      status: 'open',
      count: 1,
      severity: 'medium',
      category: 'A01-03',
      grid: 'g1',
      deadline: T0 + 120 * 60_000,
      responsibleUnit: 'Traffic police, school detail',
      evidence: { first: EVIDENCE_A, latest: EVIDENCE_A, best: EVIDENCE_A },
      firstSeenAt: T0 - 600_000,
    });
    expect(audit).toEqual([expect.objectContaining({ action: 'opened', by: 'system', at: T0 })]);
    const withFirst = openCase('c_y', testEvent(), testContext('illegal_parking', EVIDENCE_A, EVIDENCE_B), T0).next;
    expect(withFirst.evidence).toEqual({ first: EVIDENCE_B, latest: EVIDENCE_A, best: EVIDENCE_A });
  });

  it('merges a sighting: count, last seen, latest evidence; best only when more confident', () => {
    const c = opened();
    const weaker = mergeSighting(c, testEvent({ at: T0 + 60_000, confidence: 0.6 }), testContext('illegal_parking', EVIDENCE_B), T0 + 61_000).next;
    expect(weaker).toMatchObject({ count: 2, lastSeenAt: T0 + 60_000, confidence: 0.8, evidence: { first: EVIDENCE_A, latest: EVIDENCE_B, best: EVIDENCE_A } });
    const stronger = mergeSighting(c, testEvent({ at: T0 + 60_000, confidence: 0.95 }), testContext('illegal_parking', EVIDENCE_B), T0).next;
    expect(stronger).toMatchObject({ confidence: 0.95, evidence: { best: EVIDENCE_B } });
    expect(suppressSighting(suppressSighting(c, testEvent(), T0).next, testEvent(), T0).next.suppressed).toBe(2);
  });

  it('claims: once per worker, conflicts for another or after a verdict', () => {
    const claimed = claimCase(opened(), 'w1', T0, LEASE)!.next;
    expect(claimed).toMatchObject({ status: 'claimed', claimedBy: 'w1' });
    expect(claimCase(claimed, 'w1', T0, LEASE)).toBeNull();
    expect(() => claimCase(claimed, 'w2', T0, LEASE)).toThrow(CaseConflictError);
    const confirmed = applyVerdict(claimed, { verdict: 'confirmed', by: 'w1', at: T0 })!.next;
    expect(() => claimCase(confirmed, 'w1', T0, LEASE)).toThrow(/already confirmed/);
  });

  it('claims are leases: they lapse, the holder releases, an operator breaks them', () => {
    const claimed = claimCase(opened(), 'w1', T0, LEASE)!.next;
    expect(claimed.claimExpiresAt).toBe(T0 + LEASE);
    expect(() => claimCase(claimed, 'w2', T0 + LEASE - 1, LEASE)).toThrow(/claimed by w1 until/);
    const taken = claimCase(claimed, 'w2', T0 + LEASE, LEASE)!;
    expect(taken.next).toMatchObject({ claimedBy: 'w2', claimExpiresAt: T0 + 2 * LEASE });
    expect(taken.audit[0]).toMatchObject({ action: 'claimed', by: 'w2', detail: { expiredClaimOf: 'w1' } });
    expect(applyVerdict(claimed, { verdict: 'confirmed', by: 'w2', at: T0 + LEASE })!.next.verdict!.by).toBe('w2');
    expect(() => releaseCase(claimed, 'w2', T0, false)).toThrow(/only they or an operator/);
    const released = releaseCase(claimed, 'w1', T0, false)!;
    expect(released.next.status).toBe('open');
    expect(released.next.claimedBy).toBeUndefined();
    expect(released.audit[0]).toMatchObject({ action: 'released', by: 'w1' });
    expect(releaseCase(claimed, 'op', T0, true)!.audit[0]).toMatchObject({ action: 'claim_broken', by: 'op', detail: { holder: 'w1' } });
    expect(releaseCase(opened(), 'w1', T0, false)).toBeNull();
  });

  it('verdicts: idempotent when equal, conflict when different or claimed by another', () => {
    const c = opened();
    const rejected = applyVerdict(c, { verdict: 'rejected', reason: 'duplicate', by: 'w1', at: T0 })!;
    expect(rejected.next).toMatchObject({ status: 'rejected', verdict: { reason: 'duplicate' } });
    expect(rejected.audit[0]).toMatchObject({ action: 'rejected', by: 'w1', detail: { reason: 'duplicate' } });
    expect(closedAt(rejected.next)).toBe(T0);
    expect(applyVerdict(rejected.next, { verdict: 'rejected', reason: 'duplicate', by: 'w1', at: T0 + 5 })).toBeNull();
    // The same verdict by someone else is not "theirs too": 409 naming who decided.
    expect(() => applyVerdict(rejected.next, { verdict: 'rejected', reason: 'duplicate', by: 'w2', at: T0 + 5 })).toThrow(/already decided by w1: rejected/);
    expect(() => applyVerdict(rejected.next, { verdict: 'rejected', reason: 'false_detection', by: 'w1', at: T0 })).toThrow(CaseConflictError);
    expect(() => applyVerdict(rejected.next, { verdict: 'confirmed', by: 'w1', at: T0 })).toThrow(CaseConflictError);
    const claimed = claimCase(c, 'w1', T0, LEASE)!.next;
    expect(() => applyVerdict(claimed, { verdict: 'confirmed', by: 'w2', at: T0 })).toThrow(/claimed by w1/);
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

  it('resolves only a confirmed case; twice is a no-op', () => {
    const c = opened();
    expect(() => resolveCase(c, 'w1', T0)).toThrow(/only a case with a confirmed verdict/);
    const confirmed = applyVerdict(c, { verdict: 'confirmed', by: 'w1', at: T0 })!.next;
    const resolved = resolveCase(confirmed, 'w1', T0 + 9, 'towed')!;
    expect(resolved.next).toMatchObject({ status: 'resolved', resolvedAt: T0 + 9 });
    expect(resolved.audit[0]).toMatchObject({ action: 'resolved', detail: { note: 'towed' } });
    expect(resolveCase(resolved.next, 'w2', T0 + 10)).toBeNull();
    const rejected = applyVerdict(c, { verdict: 'rejected', reason: 'not_a_violation', by: 'w1', at: T0 })!.next;
    expect(() => resolveCase(rejected, 'w1', T0)).toThrow(CaseConflictError);
  });

  it('marks dispatch once; picks the responsible unit per area type', () => {
    const d = markDispatched(opened(), T0 + 1)!.next;
    expect(d.dispatchedAt).toBe(T0 + 1);
    expect(markDispatched(d, T0 + 2)).toBeNull();
    const t = testContext().type;
    expect(responsibleUnitFor(t, 'market')).toBe('Traffic police');
    expect(responsibleUnitFor({ ...t, responsibleUnit: {} }, 'market')).toBe('unassigned');
  });
});
