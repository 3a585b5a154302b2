import { type Compilable, sql, type Transaction } from 'kysely';
import type { Database } from '../db/db-schema.ts';
import type { CaseRecord } from './case-model.ts';
import { caseToRow } from './case-row.ts';
import type { Change } from './case-transitions.ts';

/** Thrown inside a write when the case moved on since it was read: the caller re-reads and retries. */
export class StaleCaseError extends Error {
  constructor(readonly caseId: string) {
    super(`case ${caseId} changed since it was read`);
    this.name = 'StaleCaseError';
  }
}

/** What the outbox rows of a change carry: built by the store (it knows the catalogue). */
export interface OutboxRows {
  readonly dispatch?: unknown;
  readonly recheck?: unknown;
}

/** Outbox job id for a case version: the case id and its version (a BullMQ custom id: no ":"). */
export const outboxJobId = (topic: 'dispatch' | 'recheck', c: Pick<CaseRecord, 'id' | 'version'>): string =>
  topic === 'dispatch' ? `${c.id}.v${c.version}` : `${c.id}.r${c.version}`;

/**
 * Writes one change inside a transaction: the case (an insert, or an update guarded by the
 * version read, else StaleCaseError), its verdict, its one audit row, and the rows its effects
 * name (sighting, evidence, handling step, escalation, outbox jobs). All or nothing.
 *
 * The inserts go to the server as one statement of data-modifying CTEs (a new case with its audit,
 * sighting, evidence and outbox rows is one round trip instead of five: intake speed is round
 * trips). Foreign keys are checked at the end of the statement, when the case row exists.
 */
export async function writeChange(tx: Transaction<Database>, prev: CaseRecord | null, change: Change, outbox: OutboxRows, now: number): Promise<void> {
  const { next, audit, effects } = change;
  const row = caseToRow(next);
  const inserts: Compilable[] = [];
  if (prev) {
    const res = await tx.updateTable('cases').set(row).where('id', '=', next.id).where('version', '=', prev.version).executeTakeFirst();
    if (res.numUpdatedRows === 0n) throw new StaleCaseError(next.id);
  } else {
    inserts.push(tx.insertInto('cases').values(row));
  }
  if (next.verdict && !prev?.verdict) {
    const v = next.verdict;
    inserts.push(tx.insertInto('verdicts').values({ case_id: next.id, verdict: v.verdict, reason: v.reason ?? null, correct_type: v.correctType ?? null, note: v.note ?? null, by: v.by, at: v.at }));
  }
  inserts.push(
    tx.insertInto('case_audit').values({
      case_id: next.id,
      case_version: next.version,
      at: audit.at,
      by: audit.by,
      action: audit.action,
      from_status: prev?.status ?? null,
      to_status: next.status,
      detail: audit.detail ? JSON.stringify(audit.detail) : null,
    }),
  );
  if (effects?.sighting) {
    const e = effects.sighting.event;
    inserts.push(
      tx.insertInto('sightings').values({ case_id: next.id, outcome: effects.sighting.outcome, at: e.at, confidence: e.confidence, place: JSON.stringify(e.place), boxes: JSON.stringify(e.boxes), model: e.model, frame_index: e.frameIndex }),
    );
  }
  const evidence = effects?.evidence ?? [];
  const photo = evidence.some((ev) => ev.role === 'photo');
  // A handling step points at its photo's evidence row: that id is needed first, so a change with a
  // photo writes its evidence on its own (rare: a unit marking a case handled).
  let photoId: number | null = null;
  if (photo) {
    const ids = await tx
      .insertInto('evidence')
      .values(evidence.map((ev) => ({ case_id: next.id, role: ev.role, path: ev.path, score: ev.score ?? null, at: now, deleted_at: null })))
      .returning(['id', 'role'])
      .execute();
    photoId = ids.find((r) => r.role === 'photo')?.id ?? null;
  } else if (evidence.length) {
    inserts.push(tx.insertInto('evidence').values(evidence.map((ev) => ({ case_id: next.id, role: ev.role, path: ev.path, score: ev.score ?? null, at: now, deleted_at: null }))));
  }
  if (effects?.step) {
    inserts.push(
      tx.insertInto('handling_steps').values({ case_id: next.id, step: effects.step.step, unit: next.responsibleUnit, by: audit.by, at: audit.at, note: effects.step.note ?? null, evidence_id: photoId }),
    );
  }
  if (effects?.escalation) {
    const x = effects.escalation;
    inserts.push(
      tx.insertInto('escalations').values({ case_id: next.id, from_level: x.fromLevel, to_level: x.toLevel, from_unit: x.fromUnit, to_unit: x.toUnit, by: audit.by, at: audit.at, reason: x.reason ?? null }),
    );
  }
  const jobs: ['dispatch' | 'recheck', unknown][] = [];
  if (effects?.dispatch && outbox.dispatch !== undefined) jobs.push(['dispatch', outbox.dispatch]);
  if (effects?.recheck && outbox.recheck !== undefined) jobs.push(['recheck', outbox.recheck]);
  for (const [topic, payload] of jobs) {
    inserts.push(
      tx.insertInto('outbox').values({ topic, job_id: outboxJobId(topic, next), case_id: next.id, case_version: next.version, payload: JSON.stringify(payload), created_at: now, sent_at: null, last_error: null }),
    );
  }
  const [first, ...rest] = inserts;
  if (!first) return;
  if (rest.length === 0) {
    await sql`${first}`.execute(tx);
    return;
  }
  const ctes = sql.join(
    inserts.map((q, i) => sql`${sql.raw(`w${i}`)} as (${q})`),
    sql`, `,
  );
  await sql`with ${ctes} select 1`.execute(tx);
}
