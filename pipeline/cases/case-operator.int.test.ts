import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CaseConflictError, CaseInputError } from './case-errors.ts';
import { CaseStore } from './case-store.ts';
import { TEST_TYPES, testContext, testEvent } from './case-test-fixtures.ts';
import { RECORD_KINDS, type TestRecord, openTestRecord } from './test-record.ts';
import { listUnits, syncUnits } from './unit-directory.ts';

const T0 = 1_700_000_000_000;

describe.each(RECORD_KINDS)('operator steps and the units table on %s', (kind) => {
  let rec: TestRecord;
  let clock = T0;
  const store = () => new CaseStore(rec.handle.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id), now: () => clock });

  beforeAll(async () => {
    rec = await openTestRecord(kind);
  });
  beforeEach(async () => {
    clock = T0;
    await rec.truncate();
    await syncUnits(rec.handle.db, TEST_TYPES, T0);
  });
  afterAll(async () => {
    await rec.close();
  });

  it('keeps the units table in step with the catalogue: every unit at every level, parents linked, gone ones removed', async () => {
    const units = await listUnits(rec.handle.db);
    expect(units).toHaveLength(12);
    expect(units.slice(0, 4).map((u) => u.level)).toEqual(['community', 'community', 'community', 'community']);
    expect(units.find((u) => u.id === 'Fire brigade')).toEqual({ id: 'Fire brigade', name: 'Fire brigade', level: 'community', parentId: 'street office: Fire brigade' });
    // A reload without the fire type (and with a renamed crowd unit): its units go, the new ones come.
    const reloaded = TEST_TYPES.filter((t) => t.id !== 'fire_smoke').map((t) => (t.id === 'crowd_gathering' ? { ...t, responsibleUnit: { default: 'Police station' } } : t));
    expect(await syncUnits(rec.handle.db, reloaded, T0 + 1)).toEqual({ units: 9, removed: 6 });
    const ids = (await listUnits(rec.handle.db)).map((u) => u.id);
    expect(ids).toContain('district: Police station');
    expect(ids.some((id) => id.includes('Fire brigade') || id.includes('Public security'))).toBe(false);
    expect(await syncUnits(rec.handle.db, reloaded, T0 + 2)).toEqual({ units: 9, removed: 0 });
    expect(await syncUnits(rec.handle.db, [], T0 + 3)).toEqual({ units: 0, removed: 9 });
  });

  it('reassigns to a unit at the case\'s level: audited, claim cleared, a new dispatch row; the same unit again changes nothing', async () => {
    const s = store();
    const { case: c } = await s.openOrUpdate(testEvent(), testContext());
    await s.claim(c.id, 'w1');
    clock = T0 + 1000;
    const r = await s.reassign(c.id, 'op-1', { unit: 'Traffic police', reason: 'the school detail is off duty' });
    expect(r.changed).toBe(true);
    expect(r.case).toMatchObject({ responsibleUnit: 'Traffic police', version: 3, level: 'community' });
    expect(r.case.claimedBy).toBeUndefined();
    expect(await s.get(c.id)).toEqual(r.case);
    const audit = await s.audit(c.id);
    expect(audit.at(-1)).toEqual({ at: T0 + 1000, by: 'op-1', action: 'reassigned', detail: { fromUnit: 'Traffic police, school detail', toUnit: 'Traffic police', reason: 'the school detail is off duty', claimBrokenFrom: 'w1' } });
    const outbox = await rec.handle.db.selectFrom('outbox').select(['job_id', 'topic', 'payload']).where('case_id', '=', c.id).orderBy('id').execute();
    expect(outbox.map((o) => o.job_id)).toEqual([`${c.id}.v1`, `${c.id}.v3`]);
    expect((outbox[1]!.payload as { responsibleUnit: string }).responsibleUnit).toBe('Traffic police');
    const again = await s.reassign(c.id, 'op-2', { unit: 'Traffic police' });
    expect(again).toEqual({ case: r.case, changed: false });
    expect(await rec.handle.db.selectFrom('outbox').select('id').where('case_id', '=', c.id).execute()).toHaveLength(2);
    const steps = await rec.handle.db.selectFrom('handling_steps').select(['step', 'unit', 'note']).where('case_id', '=', c.id).execute();
    expect(steps).toEqual([{ step: 'reassigned', unit: 'Traffic police', note: 'the school detail is off duty' }]);
  });

  it('refuses a unit that is not in the table at the case\'s level (naming both), and a closed case', async () => {
    const s = store();
    const { case: c } = await s.openOrUpdate(testEvent(), testContext());
    await expect(s.reassign(c.id, 'op-1', { unit: 'Nobody' })).rejects.toThrow(/no unit "Nobody" at the case's community level/);
    const err = await s.reassign(c.id, 'op-1', { unit: 'district: Traffic police' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaseInputError);
    expect((err as CaseInputError).message).toMatch(/community level; it is a district unit/);
    // After an escalation the case is at the street office: a unit there is fine, a community one is not.
    await s.escalate(c.id, 'op-1');
    expect((await s.reassign(c.id, 'op-1', { unit: 'street office: Fire brigade' })).case.responsibleUnit).toBe('street office: Fire brigade');
    await expect(s.reassign(c.id, 'op-1', { unit: 'Traffic police' })).rejects.toThrow(/at the case's street_office level; it is a community unit/);
    await s.verdict(c.id, 'w1', { verdict: 'rejected', reason: 'not_a_violation' });
    await expect(s.reassign(c.id, 'op-1', { unit: 'street office: Traffic police' })).rejects.toThrow(CaseConflictError);
    expect((await s.get(c.id))!.responsibleUnit).toBe('street office: Fire brigade');
  });

  it("escalates a reassigned case to the parent of its current unit (units table), and says when it had to fall back", async () => {
    const s = store();
    const { case: c } = await s.openOrUpdate(testEvent(), testContext());
    await s.reassign(c.id, 'op-1', { unit: 'Fire brigade', reason: 'it is burning' });
    clock = T0 + 2000;
    const up = await s.escalate(c.id, 'op-1', { reason: 'needs a ladder' });
    expect(up.case).toMatchObject({ level: 'street_office', responsibleUnit: 'street office: Fire brigade', status: 'escalated' });
    expect(await s.get(c.id)).toEqual(up.case);
    expect((await s.audit(c.id)).at(-1)).toEqual({
      at: T0 + 2000,
      by: 'op-1',
      action: 'escalated',
      detail: { fromLevel: 'community', toLevel: 'street_office', fromUnit: 'Fire brigade', toUnit: 'street office: Fire brigade', via: 'parent', reason: 'needs a ladder' },
    });
    const esc = await rec.handle.db.selectFrom('escalations').select(['from_unit', 'to_unit']).where('case_id', '=', c.id).execute();
    expect(esc).toEqual([{ from_unit: 'Fire brigade', to_unit: 'street office: Fire brigade' }]);
    const outbox = await rec.handle.db.selectFrom('outbox').select(['payload']).where('case_id', '=', c.id).orderBy('id').execute();
    expect((outbox.at(-1)!.payload as { responsibleUnit: string }).responsibleUnit).toBe('street office: Fire brigade');
    // The fire brigade's units gone from the catalogue: the next escalation falls back to the type's district unit, audited as such.
    await syncUnits(rec.handle.db, TEST_TYPES.filter((t) => t.id !== 'fire_smoke'), T0 + 3000);
    const top = await s.escalate(c.id, 'op-1');
    expect(top.case).toMatchObject({ level: 'district', responsibleUnit: 'district: Traffic police, school detail' });
    expect((await s.audit(c.id)).at(-1)!.detail).toMatchObject({
      via: 'event_type',
      fallback: 'unit "street office: Fire brigade" is not in the units table; sent to the event type\'s district unit',
    });
  });

  it('moves a shadow case on escalation and reassignment without ever writing a dispatch row', async () => {
    const s = store();
    const { case: c } = await s.openOrUpdate(testEvent({ shadow: true }), testContext());
    expect(c.shadow).toBe(true);
    await s.reassign(c.id, 'op-1', { unit: 'Traffic police' });
    const up = await s.escalate(c.id, 'op-1');
    expect(up.case).toMatchObject({ shadow: true, level: 'street_office', responsibleUnit: 'street office: Traffic police' });
    expect(await s.get(c.id)).toEqual(up.case);
    expect(await rec.handle.db.selectFrom('outbox').select('id').where('case_id', '=', c.id).execute()).toEqual([]);
    // An active model's case on the same path gets its three rows (opened, reassigned, escalated).
    const { case: d } = await s.openOrUpdate(testEvent({ cameraId: 'cam-other' }), testContext());
    await s.reassign(d.id, 'op-1', { unit: 'Traffic police' });
    await s.escalate(d.id, 'op-1');
    expect(await rec.handle.db.selectFrom('outbox').select('id').where('case_id', '=', d.id).execute()).toHaveLength(3);
  });

  it('closes an active case by hand: audited with the reason, closed at, the cooldown applies; a repeat is a no-op, a rejected case a conflict', async () => {
    const s = store();
    const { case: c } = await s.openOrUpdate(testEvent(), testContext());
    await s.verdict(c.id, 'w1', { verdict: 'confirmed' });
    await s.claim(c.id, 'w1');
    clock = T0 + 5000;
    const x = await s.close(c.id, 'op-1', { reason: 'owner moved the car while we watched', note: 'phoned in' });
    expect(x.case).toMatchObject({ status: 'closed', closedAt: T0 + 5000, closedBy: 'op-1', closeReason: 'owner moved the car while we watched' });
    expect(x.case.claimedBy).toBeUndefined();
    expect(await s.get(c.id)).toEqual(x.case);
    expect((await s.audit(c.id)).at(-1)).toEqual({
      at: T0 + 5000,
      by: 'op-1',
      action: 'closed',
      detail: { reason: 'owner moved the car while we watched', manual: true, fromStatus: 'accepted', note: 'phoned in' },
    });
    const row = await rec.handle.db.selectFrom('case_audit').select(['from_status', 'to_status']).where('case_id', '=', c.id).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(row).toEqual({ from_status: 'accepted', to_status: 'closed' });
    expect(await s.close(c.id, 'op-2', { reason: 'owner moved the car while we watched' })).toEqual({ case: x.case, changed: false });
    await expect(s.close(c.id, 'op-1', { reason: 'another reason' })).rejects.toThrow(/already closed by op-1/);
    // The same thing seen again within the cooldown is suppressed, not a new case.
    expect((await s.openOrUpdate(testEvent({ at: T0 + 6000 }), testContext())).outcome).toBe('suppressed');
    const { case: d } = await s.openOrUpdate(testEvent({ place: [0.6, 0.1, 0.8, 0.3] }), testContext());
    await s.verdict(d.id, 'w1', { verdict: 'rejected', reason: 'duplicate' });
    await expect(s.close(d.id, 'op-1', { reason: 'x' })).rejects.toThrow(/already rejected by w1/);
  });
});
