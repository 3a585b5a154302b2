import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CaseClaimedError, CaseConflictError, CaseDecidedError, CaseInputError, CaseNotFoundError } from './case-errors.ts';
import { CaseStore } from './case-store.ts';
import { EVIDENCE_A, EVIDENCE_B, TEST_TYPES, testContext, testEvent } from './case-test-fixtures.ts';
import { RECORD_KINDS, type TestRecord, openTestRecord } from './test-record.ts';
import { recordCatalogueVersion } from './catalogue-version.ts';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

describe.each(RECORD_KINDS)('CaseStore on %s', (kind) => {
  let rec: TestRecord;
  let clock = T0;
  const store = (over: Partial<ConstructorParameters<typeof CaseStore>[1]> = {}) =>
    new CaseStore(rec.handle.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id), now: () => clock, ...over });

  beforeAll(async () => {
    rec = await openTestRecord(kind);
  });
  beforeEach(async () => {
    clock = T0;
    await rec.truncate();
  });
  afterAll(async () => {
    await rec.close();
  });

  it('merges sightings of the same place into one case; another place opens another', async () => {
    const s = store();
    const a = await s.openOrUpdate(testEvent({ at: T0 }), testContext('illegal_parking', EVIDENCE_A));
    expect(a).toMatchObject({ created: true, outcome: 'opened', case: { count: 1, status: 'opened', version: 1, level: 'community' } });
    const b = await s.openOrUpdate(testEvent({ at: T0 + 300_000, place: [0.11, 0.51, 0.31, 0.71], confidence: 0.9 }), testContext('illegal_parking', EVIDENCE_B));
    expect(b).toMatchObject({ created: false, outcome: 'updated', case: { id: a.case.id, count: 2, lastSeenAt: T0 + 300_000, confidence: 0.9, version: 2 } });
    expect(b.case.evidence).toEqual({ first: EVIDENCE_A, latest: EVIDENCE_B, best: EVIDENCE_B });
    const other = await s.openOrUpdate(testEvent({ place: [0.6, 0.5, 0.8, 0.7] }), testContext());
    expect(other.created).toBe(true);
    const otherCam = await s.openOrUpdate(testEvent({ cameraId: 'cam-2' }), testContext());
    const otherType = await s.openOrUpdate(testEvent({ eventType: 'fire_smoke' }), testContext('fire_smoke'));
    expect([otherCam.created, otherType.created]).toEqual([true, true]);
    expect(await s.get(a.case.id)).toEqual(b.case);
    expect((await s.list()).cases).toHaveLength(4);
  });

  it('asks for evidence only when a case opens or a sighting is better', async () => {
    const s = store();
    const asked: string[] = [];
    const render = async (why: 'open' | 'improve') => {
      asked.push(why);
      return { latest: why === 'open' ? EVIDENCE_A : EVIDENCE_B };
    };
    const ctx = { ...testContext(), evidence: undefined, render };
    await s.openOrUpdate(testEvent({ confidence: 0.7 }), ctx);
    await s.openOrUpdate(testEvent({ at: T0 + 1, confidence: 0.6 }), ctx);
    await s.openOrUpdate(testEvent({ at: T0 + 2, confidence: 0.7 }), ctx);
    const better = await s.openOrUpdate(testEvent({ at: T0 + 3, confidence: 0.95 }), ctx);
    expect(asked).toEqual(['open', 'improve']);
    expect(better.case).toMatchObject({ count: 4, confidence: 0.95, evidence: { first: EVIDENCE_A, best: EVIDENCE_B } });
  });

  it('matches zone-wide types by zone, whatever the boxes', async () => {
    const s = store();
    const a = await s.openOrUpdate(testEvent({ eventType: 'crowd_gathering', zone: 'square', place: [0, 0, 0.2, 0.2] }), testContext('crowd_gathering'));
    const b = await s.openOrUpdate(testEvent({ eventType: 'crowd_gathering', zone: 'square', place: [0.7, 0.7, 0.9, 0.9] }), testContext('crowd_gathering'));
    const c = await s.openOrUpdate(testEvent({ eventType: 'crowd_gathering', zone: 'gate', place: [0, 0, 0.2, 0.2] }), testContext('crowd_gathering'));
    expect([a.outcome, b.outcome, c.outcome]).toEqual(['opened', 'updated', 'opened']);
    expect(b.case.id).toBe(a.case.id);
  });

  it('opens exactly one case when many workers file the same thing at once', async () => {
    const stores = [0, 1, 2, 3].map(() => store());
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => stores[i % 4]!.openOrUpdate(testEvent({ at: T0 + i }), testContext())));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const { cases } = await stores[0]!.list();
    expect(cases).toHaveLength(1);
    expect(cases[0]!.count).toBe(24);
    expect((await stores[0]!.audit(cases[0]!.id)).filter((e) => e.action === 'updated')).toHaveLength(23);
    const outbox = await rec.handle.db.selectFrom('outbox').select(['job_id', 'topic']).execute();
    expect(outbox).toEqual([{ job_id: `${cases[0]!.id}.v1`, topic: 'dispatch' }]);
  });

  it('suppresses the same thing during the cooldown after a rejection, then opens a new case', async () => {
    const s = store();
    const first = await s.openOrUpdate(testEvent({ at: T0 }), testContext());
    clock = T0 + 60_000;
    await s.verdict(first.case.id, 'w1', { verdict: 'rejected', reason: 'false_detection' });
    const during = await s.openOrUpdate(testEvent({ at: T0 + 120_000 }), testContext());
    expect(during).toMatchObject({ created: false, outcome: 'suppressed', case: { id: first.case.id, status: 'rejected', suppressed: 1 } });
    expect((await s.openOrUpdate(testEvent({ at: T0 + 120_000, place: [0.6, 0.1, 0.8, 0.3] }), testContext())).created).toBe(true);
    clock = T0 + 60_000 + 1800_000 + 1;
    const after = await s.openOrUpdate(testEvent({ at: clock }), testContext());
    expect(after.created).toBe(true);
    expect((await s.audit(first.case.id)).map((e) => e.action)).toEqual(['opened', 'rejected', 'suppressed']);
  });

  it('claims are leases: renew, release by the holder, expiry, an operator breaking one', async () => {
    const s = store({ claimLeaseMs: 15 * MIN });
    const { case: c } = await s.openOrUpdate(testEvent(), testContext());
    expect((await s.claim(c.id, 'w1')).case).toMatchObject({ claimedBy: 'w1', claimExpiresAt: T0 + 15 * MIN });
    const taken = await s.claim(c.id, 'w2').catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(CaseClaimedError);
    expect((taken as Error).message).toContain('claimed by w1');
    await expect(s.release(c.id, 'w2')).rejects.toThrow(CaseClaimedError);
    clock = T0 + 10 * MIN;
    expect((await s.claim(c.id, 'w1')).case.claimExpiresAt).toBe(T0 + 25 * MIN);
    expect((await s.release(c.id, 'w1')).case.claimedBy).toBeUndefined();
    expect((await s.release(c.id, 'w1')).changed).toBe(false);
    await s.claim(c.id, 'w2');
    clock = T0 + 26 * MIN; // w2's lease lapsed: w3 takes over.
    expect((await s.claim(c.id, 'w3')).case.claimedBy).toBe('w3');
    expect((await s.breakClaim(c.id, 'op-1', 'left the shift')).case.claimedBy).toBeUndefined();
    const audit = await s.audit(c.id);
    expect(audit.map((e) => [e.action, e.by])).toEqual([
      ['opened', 'system'],
      ['claimed', 'w1'],
      ['claim_renewed', 'w1'],
      ['released', 'w1'],
      ['claimed', 'w2'],
      ['claimed', 'w3'],
      ['claim_broken', 'op-1'],
    ]);
    expect(audit[6]!.detail).toEqual({ holder: 'w3', reason: 'left the shift' });
  });

  it('verdicts: idempotent for the same actor, a typed conflict naming who decided for anyone else', async () => {
    const s = store();
    const { case: c } = await s.openOrUpdate(testEvent(), testContext());
    await expect(s.handle(c.id, 'unit-1')).rejects.toThrow(CaseConflictError);
    await s.claim(c.id, 'w1');
    await expect(s.verdict(c.id, 'w2', { verdict: 'confirmed' })).rejects.toThrow(/claimed by w1/);
    clock = T0 + 2000;
    const v = await s.verdict(c.id, 'w1', { verdict: 'confirmed', note: 'seen it' });
    expect(v).toMatchObject({ changed: true, case: { status: 'accepted', acceptedAt: T0 + 2000, verdict: { verdict: 'confirmed', by: 'w1', at: T0 + 2000 } } });
    expect(await s.verdict(c.id, 'w1', { verdict: 'confirmed' })).toEqual({ changed: false, case: v.case });
    const other = await s.verdict(c.id, 'w2', { verdict: 'confirmed' }).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(CaseDecidedError);
    expect(other).toMatchObject({ code: 'CASE_DECIDED', status: 409, decidedBy: 'w1' });
    await expect(s.verdict(c.id, 'w1', { verdict: 'rejected', reason: 'duplicate' })).rejects.toThrow(CaseDecidedError);
    await expect(s.verdict(c.id, 'w1', { verdict: 'rejected' })).rejects.toThrow(CaseInputError);
    await expect(s.claim('c_000000000_0000000000', 'w1')).rejects.toThrow(CaseNotFoundError);
    await expect(s.audit('c_000000000_0000000000')).rejects.toThrow(CaseNotFoundError);
  });

  it('20 concurrent verdicts by 20 actors: exactly one wins, the others are told who decided', async () => {
    const { case: c } = await store().openOrUpdate(testEvent(), testContext());
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => store().verdict(c.id, `w${i}`, i % 2 ? { verdict: 'confirmed' } : { verdict: 'rejected', reason: 'duplicate' })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const winner = (await store().get(c.id))!.verdict!.by;
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect(r.reason).toBeInstanceOf(CaseDecidedError);
      expect((r.reason as CaseDecidedError).decidedBy).toBe(winner);
    }
    const verdictRows = await rec.handle.db.selectFrom('case_audit').select('action').where('case_id', '=', c.id).where('action', 'in', ['confirmed', 'rejected']).execute();
    expect(verdictRows).toHaveLength(1);
  });

  it('runs the loop: handled (with a photo) -> re-check requested -> closed or reopened; escalation only upwards', async () => {
    const s = store();
    const { case: c } = await s.openOrUpdate(testEvent(), testContext());
    expect((await s.markDispatched(c.id, T0 + 5)).case.status).toBe('dispatched');
    expect((await s.markDispatched(c.id, T0 + 6)).changed).toBe(false);
    await s.verdict(c.id, 'w1', { verdict: 'confirmed' });
    clock = T0 + 10 * MIN;
    const h = await s.handle(c.id, 'unit-1', { note: 'towed', photo: EVIDENCE_B });
    expect(h.case).toMatchObject({ status: 'handled', handledAt: T0 + 10 * MIN, evidence: { handledPhoto: EVIDENCE_B } });
    expect((await s.handle(c.id, 'unit-1')).changed).toBe(false);
    const jobs = await rec.handle.db.selectFrom('outbox').select(['topic', 'job_id']).orderBy('id').execute();
    expect(jobs).toEqual([
      { topic: 'dispatch', job_id: `${c.id}.v1` },
      { topic: 'recheck', job_id: `${c.id}.r${h.case.version}` },
    ]);
    await s.startRecheck(c.id);
    const reopened = await s.recheckOutcome(c.id, false, { path: EVIDENCE_A, confidence: 0.8 });
    expect(reopened.case).toMatchObject({ status: 'reopened', reopenCount: 1, evidence: { after: EVIDENCE_A } });
    await s.handle(c.id, 'unit-1', { note: 'towed again' });
    const closed = await s.recheckOutcome(c.id, true, { path: EVIDENCE_B });
    expect(closed.case).toMatchObject({ status: 'closed', closedAt: clock, evidence: { first: EVIDENCE_A, after: EVIDENCE_B } });
    await expect(s.escalate(c.id, 'op-1')).rejects.toThrow(/closed case cannot be escalated/);
    const steps = await rec.handle.db.selectFrom('handling_steps').select(['step', 'note', 'evidence_id']).where('case_id', '=', c.id).orderBy('id').execute();
    expect(steps.map((x) => [x.step, x.note, x.evidence_id !== null])).toEqual([
      ['accepted', null, false],
      ['handled', 'towed', true],
      ['handled', 'towed again', false],
    ]);

    const { case: d } = await s.openOrUpdate(testEvent({ place: [0.6, 0.1, 0.8, 0.3] }), testContext());
    await expect(s.escalate(d.id, 'op-1', { toLevel: 'district' })).rejects.toThrow(/one level at a time/);
    const up = await s.escalate(d.id, 'op-1', { reason: 'needs the street office' });
    expect(up.case).toMatchObject({ level: 'street_office', status: 'escalated', responsibleUnit: 'street office: Traffic police, school detail' });
    await expect(s.escalate(d.id, 'op-1', { toLevel: 'community' })).rejects.toThrow(/never moves down/);
    expect((await s.escalate(d.id, 'op-1')).case.level).toBe('district');
    await expect(s.escalate(d.id, 'op-1')).rejects.toThrow(/no level above/);
    const esc = await rec.handle.db.selectFrom('escalations').select(['from_level', 'to_level']).where('case_id', '=', d.id).orderBy('id').execute();
    expect(esc).toEqual([
      { from_level: 'community', to_level: 'street_office' },
      { from_level: 'street_office', to_level: 'district' },
    ]);
  });

  it('records each distinct catalogue once and stamps new cases with the version in force', async () => {
    const v1 = await recordCatalogueVersion(rec.handle.db, TEST_TYPES, T0);
    expect(await recordCatalogueVersion(rec.handle.db, [...TEST_TYPES].reverse(), T0 + 1)).toBe(v1);
    const v2 = await recordCatalogueVersion(rec.handle.db, TEST_TYPES.map((t) => ({ ...t, deadlineMinutes: t.deadlineMinutes + 1 })), T0 + 2);
    expect(v2).not.toBe(v1);
    const { case: c } = await store({ catalogueVersion: () => v2 }).openOrUpdate(testEvent(), testContext());
    expect(c.catalogueVersion).toBe(v2);
    expect((await store().get(c.id))?.catalogueVersion).toBe(v2);
  });

  it('flags overdue cases once', async () => {
    const s = store();
    const { case: c } = await s.openOrUpdate(testEvent({ eventType: 'fire_smoke' }), testContext('fire_smoke'));
    expect(await s.flagOverdue()).toEqual([]);
    clock = T0 + 11 * MIN; // fire: 10 minutes
    expect((await s.flagOverdue()).map((x) => x.id)).toEqual([c.id]);
    expect(await s.flagOverdue()).toEqual([]);
    expect((await s.list({ overdue: true })).cases.map((x) => x.id)).toEqual([c.id]);
  });

  it('lists by status, grid, type and camera, in pages, oldest first or newest first', async () => {
    const s = store();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      clock = T0 + i * 1000;
      const cam = i % 2 ? 'cam-2' : 'cam-1';
      const type = i < 4 ? 'illegal_parking' : 'fire_smoke';
      const ctx = { ...testContext(type), camera: { grid: i < 3 ? 'g1' : 'g2', areaType: 'street' } };
      ids.push((await s.openOrUpdate(testEvent({ eventType: type, cameraId: cam, place: [i / 10, 0, i / 10 + 0.05, 0.1] }), ctx)).case.id);
    }
    await s.claim(ids[0]!, 'w1');
    await s.verdict(ids[1]!, 'w1', { verdict: 'rejected', reason: 'duplicate' });
    await s.verdict(ids[2]!, 'w1', { verdict: 'confirmed' });
    await s.markDispatched(ids[3]!);
    const idsOf = async (q: Parameters<CaseStore['list']>[0]) => (await s.list(q)).cases.map((c) => ids.indexOf(c.id));
    expect(await idsOf({})).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await idsOf({ status: 'pending' })).toEqual([0, 3, 4, 5]);
    expect(await idsOf({ status: 'opened' })).toEqual([0, 4, 5]);
    expect(await idsOf({ status: 'dispatched' })).toEqual([3]);
    expect(await idsOf({ status: 'accepted' })).toEqual([2]);
    expect(await idsOf({ status: 'rejected' })).toEqual([1]);
    expect(await idsOf({ grid: 'g2' })).toEqual([3, 4, 5]);
    expect(await idsOf({ type: 'fire_smoke', status: 'pending' })).toEqual([4, 5]);
    expect(await idsOf({ camera: 'cam-2', grid: 'g2', status: 'pending' })).toEqual([3, 5]);
    expect(await idsOf({ grid: 'nowhere' })).toEqual([]);
    expect(await idsOf({ order: 'desc', limit: 2 })).toEqual([5, 4]);
    const p1 = await s.list({ limit: 4 });
    expect(p1.nextCursor).toBe(ids[3]);
    const p2 = await s.list({ limit: 4, cursor: p1.nextCursor! });
    expect(p2.cases.map((c) => ids.indexOf(c.id))).toEqual([4, 5]);
    expect(p2.nextCursor).toBeNull();
  });
  it('counts the metrics gauges in SQL: cases by status, overdue, unsent outbox rows and the oldest one', async () => {
    const s = store();
    const empty = await s.caseGauges(T0);
    expect(empty).toEqual({ byStatus: {}, overdue: 0, outboxBacklog: 0, oldestUnsentAt: null });
    const a = await s.openOrUpdate(testEvent({ at: T0 }), testContext('illegal_parking', EVIDENCE_A));
    clock = T0 + MIN;
    await s.openOrUpdate(testEvent({ at: T0 + MIN, place: [0.6, 0.5, 0.8, 0.7] }), testContext('illegal_parking', EVIDENCE_B));
    expect(await s.caseGauges(T0 + 2 * MIN)).toEqual({ byStatus: { opened: 2 }, overdue: 0, outboxBacklog: 2, oldestUnsentAt: T0 });
    // Past both deadlines; the first case's dispatch sent: the backlog is the second one only.
    await rec.handle.db.updateTable('outbox').set({ sent_at: T0 + 2 * MIN }).where('case_id', '=', a.case.id).execute();
    const late = a.case.deadline + MIN + 1; // both opened one minute apart with the same type
    expect(await s.caseGauges(late)).toEqual({ byStatus: { opened: 2 }, overdue: 2, outboxBacklog: 1, oldestUnsentAt: T0 + MIN });
  });
});
