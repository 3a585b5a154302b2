import { type Compilable, type Insertable, type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { Database, EvidenceTable } from '../db/db-schema.ts';
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

/** One row a change adds beside its case (audit, sighting, evidence, step, escalation, outbox job). */
export interface ChangeRow {
  readonly table: 'cases' | 'verdicts' | 'case_audit' | 'sightings' | 'evidence' | 'handling_steps' | 'escalations' | 'outbox';
  readonly values: Readonly<Record<string, unknown>>;
}

/**
 * The rows a change adds beside its case, in the order they are written. A handling step that
 * points at a photo takes `photoId` (the evidence row written first, see writeChange).
 */
export function changeRows(prev: CaseRecord | null, change: Change, outbox: OutboxRows, now: number, photoId: number | null): ChangeRow[] {
  const { next, audit, effects } = change;
  const rows: ChangeRow[] = [];
  if (next.verdict && !prev?.verdict) {
    const v = next.verdict;
    rows.push({ table: 'verdicts', values: { case_id: next.id, verdict: v.verdict, reason: v.reason ?? null, correct_type: v.correctType ?? null, note: v.note ?? null, by: v.by, at: v.at } });
  }
  rows.push({
    table: 'case_audit',
    values: {
      case_id: next.id,
      case_version: next.version,
      at: audit.at,
      by: audit.by,
      action: audit.action,
      from_status: prev?.status ?? null,
      to_status: next.status,
      detail: audit.detail ? JSON.stringify(audit.detail) : null,
    },
  });
  if (effects?.sighting) {
    const e = effects.sighting.event;
    rows.push({
      table: 'sightings',
      values: { case_id: next.id, outcome: effects.sighting.outcome, at: e.at, confidence: e.confidence, place: JSON.stringify(e.place), boxes: JSON.stringify(e.boxes), model: e.model, frame_index: e.frameIndex },
    });
  }
  if (photoId === null) rows.push(...evidenceRows(change, now));
  if (effects?.step) {
    rows.push({ table: 'handling_steps', values: { case_id: next.id, step: effects.step.step, unit: next.responsibleUnit, by: audit.by, at: audit.at, note: effects.step.note ?? null, evidence_id: photoId } });
  }
  if (effects?.escalation) {
    const x = effects.escalation;
    rows.push({ table: 'escalations', values: { case_id: next.id, from_level: x.fromLevel, to_level: x.toLevel, from_unit: x.fromUnit, to_unit: x.toUnit, by: audit.by, at: audit.at, reason: x.reason ?? null } });
  }
  const jobs: ['dispatch' | 'recheck', unknown][] = [];
  if (effects?.dispatch && outbox.dispatch !== undefined) jobs.push(['dispatch', outbox.dispatch]);
  if (effects?.recheck && outbox.recheck !== undefined) jobs.push(['recheck', outbox.recheck]);
  for (const [topic, payload] of jobs) {
    rows.push({
      table: 'outbox',
      values: { topic, job_id: outboxJobId(topic, next), case_id: next.id, case_version: next.version, payload: JSON.stringify(payload), created_at: now, sent_at: null, last_error: null },
    });
  }
  return rows;
}

function evidenceRows(change: Change, now: number): ChangeRow[] {
  return (change.effects?.evidence ?? []).map((ev) => ({ table: 'evidence', values: { case_id: change.next.id, role: ev.role, path: ev.path, score: ev.score ?? null, at: now, deleted_at: null } }));
}

const insertRow = (r: ChangeRow): RawBuilder<unknown> => {
  const cols = Object.keys(r.values);
  return sql`insert into ${sql.table(r.table)} (${sql.join(cols.map((c) => sql.ref(c)))}) values (${sql.join(cols.map((c) => sql`${r.values[c]}`))})`;
};

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
  const { next } = change;
  const row = caseToRow(next);
  const inserts: (Compilable | RawBuilder<unknown>)[] = [];
  if (prev) {
    const res = await tx.updateTable('cases').set(row).where('id', '=', next.id).where('version', '=', prev.version).executeTakeFirst();
    if (res.numUpdatedRows === 0n) throw new StaleCaseError(next.id);
  } else {
    inserts.push(tx.insertInto('cases').values(row));
  }
  // A handling step points at its photo's evidence row: that id is needed first, so a change with a
  // photo writes its evidence on its own (rare: a unit marking a case handled).
  let photoId: number | null = null;
  if (hasPhoto(change)) {
    const ids = await tx
      .insertInto('evidence')
      .values(evidenceRows(change, now).map((r) => r.values as Insertable<EvidenceTable>))
      .returning(['id', 'role'])
      .execute();
    photoId = ids.find((r) => r.role === 'photo')?.id ?? null;
  }
  inserts.push(...changeRows(prev, change, outbox, now, photoId).map(insertRow));
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

/** True when the change has a handling photo (its step needs the photo row's id: writeChange only). */
export const hasPhoto = (change: Change): boolean => (change.effects?.evidence ?? []).some((ev) => ev.role === 'photo');

/**
 * Tells the `cases_changed` trigger (migration 0005-case-groups) that this transaction's writer
 * announces the change itself (CaseChangeNotifier, after the commit), so the commit does not take
 * NOTIFY's cluster-wide lock. Evaluated in the final select, before the statement's triggers fire.
 */
export const APP_NOTIFIES = sql`set_config('gridworker.case_changes', 'app', true) as notify_mode`;

/** `w0 as (insert ... select ... from <source>), w1 as (...)`: each row written only if `source` returned one. */
function insertsFrom(source: 'u' | 'g', rows: readonly ChangeRow[]): RawBuilder<unknown> {
  // Parameters of `insert ... select` take the target columns' types, as in `values`.
  const guarded = rows.map((r) => {
    const cols = Object.keys(r.values);
    return sql`insert into ${sql.table(r.table)} (${sql.join(cols.map((c) => sql.ref(c)))}) select ${sql.join(cols.map((c) => sql`${r.values[c]}`))} from ${sql.raw(source)}`;
  });
  return sql.join(
    guarded.map((q, i) => sql`${sql.raw(`w${i}`)} as (${q})`),
    sql`, `,
  );
}

/**
 * Writes a change of an existing case as ONE statement, outside any transaction: the update
 * guarded by the version read, and every row of the change inserted only from the row that
 * update returned (`insert ... select ... from u`), so when the case moved on nothing at all is
 * written. One round trip and one commit instead of begin, update, inserts, commit: the events
 * stage files a repeat sighting this way. Returns false when the case moved on (the caller
 * re-reads). A change with a handling photo (its step needs the photo row's id) is refused: write
 * it with writeChange.
 *
 * `commit: 'async'` commits without waiting for the WAL flush (PostgreSQL's asynchronous commit,
 * for this statement only): visibility, locking and the version guard are unchanged, but a crash
 * of the database server may lose the last such writes (up to 3 x wal_writer_delay, 0.6 s by
 * default), each whole with its audit row. Default 'durable'.
 *
 * Like writeOpen, it tells the trigger not to notify: the caller announces the change after the
 * commit (CaseChangeNotifier).
 */
export async function writeGuardedChange(
  db: Kysely<Database>,
  prev: CaseRecord,
  change: Change,
  outbox: OutboxRows,
  now: number,
  commit: 'durable' | 'async' = 'durable',
): Promise<boolean> {
  if (hasPhoto(change)) throw new Error(`case ${change.next.id}: a change with a handling photo needs writeChange (its step points at the photo row)`);
  const update = db.updateTable('cases').set(caseToRow(change.next)).where('id', '=', change.next.id).where('version', '=', prev.version).returning('id');
  const rows = changeRows(prev, change, outbox, now, null);
  // set_config(..., true) lasts until the end of this statement's own transaction, whose commit reads it.
  const mode = commit === 'async' ? sql`, set_config('synchronous_commit', 'off', true) as commit_mode` : sql``;
  const res = await sql<{ n: number }>`with u as (${update}), ${insertsFrom('u', rows)} select (select count(*) from u)::int as n${mode}, ${APP_NOTIFIES}`.execute(db);
  return res.rows[0]?.n === 1;
}

/** The count of cases ever opened in a case's group, as read with the group's cases (case_groups). */
export interface GroupGuard {
  readonly cameraId: string;
  readonly eventType: string;
  readonly shadow: boolean;
  /** `opened` as read (0: no row yet). */
  readonly opened: number;
}

/**
 * Writes a new case as ONE statement: the group's open count bumped only if it is still the count
 * read with the group's cases (insert, or update guarded by `opened = <read>`: a concurrent open
 * of the same group holds that row until it commits, then the guard fails), and the case with its
 * audit, sighting, evidence and outbox rows inserted only from the row that bump returned. So two
 * processes deciding "open" on the same read open one case, and the loser writes nothing (false:
 * re-read and decide again). Outside a transaction it is its own transaction (one round trip, one
 * commit); inside one (the locked path) it is one statement of it. The caller announces the
 * change after the commit (CaseChangeNotifier): the trigger is told not to.
 */
export async function writeOpen(db: Kysely<Database>, change: Change, outbox: OutboxRows, now: number, group: GroupGuard): Promise<boolean> {
  if (hasPhoto(change)) throw new Error(`case ${change.next.id}: a new case has no handling photo`);
  const bump = sql`insert into case_groups (camera_id, event_type, shadow, opened) values (${group.cameraId}, ${group.eventType}, ${group.shadow}, ${group.opened + 1})
    on conflict (camera_id, event_type, shadow) do update set opened = excluded.opened where case_groups.opened = ${group.opened}
    returning opened`;
  const rows: ChangeRow[] = [{ table: 'cases', values: caseToRow(change.next) }, ...changeRows(null, change, outbox, now, null)];
  const res = await sql<{ n: number }>`with g as (${bump}), ${insertsFrom('g', rows)} select (select count(*) from g)::int as n, ${APP_NOTIFIES}`.execute(db);
  return res.rows[0]?.n === 1;
}
