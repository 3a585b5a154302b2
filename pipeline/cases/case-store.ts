import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/db-schema.ts';
import type { CaseGauges } from '../metrics/case-gauges.ts';
import { recordCaseGauges } from './case-gauges-query.ts';
import { buildDispatchPayload } from '../dispatch/dispatch-payload.ts';
import type { ConfirmedEvent, EventTypeDef } from '../events/event-model.ts';
import { CaseContentionError, CaseNotFoundError } from './case-errors.ts';
import { newCaseId } from './case-id.ts';
import { type CaseListPage, type CaseListQuery, type CasePageJson, listCases, listCasesJson, selectCases } from './case-list.ts';
import type { AuditEntry, CaseRecord, UnitLevel, Verdict } from './case-model.ts';
import { rowToCase } from './case-row.ts';
import {
  applyVerdict,
  breakClaim,
  type Change,
  claimCase,
  closeCase,
  escalateCase,
  handleCase,
  improvesEvidence,
  isActive,
  markDispatched,
  markOverdue,
  mergeSighting,
  openCase,
  reassignCase,
  recheckOutcome,
  releaseClaim,
  type SightingContext,
  startRecheck,
  suppressSighting,
} from './case-transitions.ts';
import { type GroupGuard, type OutboxRows, StaleCaseError, writeChange, writeGuardedChange, writeOpen } from './case-write.ts';
import { CaseChangeNotifier } from './case-change-notifier.ts';
import { readGroup } from './case-group.ts';
import { type DedupRule, findMatch } from './place-match.ts';
import { auditSchema } from './audit-schema.ts';
import { RepeatGroupCommit } from './repeat-group-commit.ts';
import { RepeatGroupRead } from './repeat-group-read.ts';
import { findUnit } from './unit-directory.ts';

/** Options of a CaseStore. */
export interface CaseStoreOptions {
  /** The event type catalogue (dispatch payloads, escalation deadlines). */
  readonly eventType: (id: string) => EventTypeDef | undefined;
  /** Minimum place IoU for two sightings to be the same thing (types with `dedup: place`), 0-1. Default 0.3. */
  readonly minIou?: number;
  /** Cooldown after a case closed, seconds, for types without `cooldownS`. Default 1800. */
  readonly defaultCooldownS?: number;
  /** Length of a claim lease, ms. Default 15 minutes. */
  readonly claimLeaseMs?: number;
  /** Compare-and-set attempts before giving up with CaseContentionError. Default 25. */
  readonly maxAttempts?: number;
  /** Clock, epoch ms. Default Date.now (tests pass their own). */
  readonly now?: () => number;
  /** The catalogue version new cases are opened under (recordCatalogueVersion). */
  readonly catalogueVersion?: () => number | undefined;
  /**
   * How a sighting is written. `optimistic` (default): read the group without a lock and write
   * with one statement, guarded by the case's version (a sighting of a case that exists) or by
   * the group's open count (a new case, see writeOpen): two round trips; the group lock is taken
   * only after losing a race. `locked`: every sighting takes the group lock in a transaction (the
   * path before; the events benchmark's baseline).
   */
  readonly sightingWrites?: 'optimistic' | 'locked';
  /**
   * How an optimistic repeat sighting that brings no new evidence and sends nothing (a count and
   * last-seen bump with its sighting and audit rows) is committed. `durable` (default): wait for
   * the WAL flush, like every other change, so no audit row is ever lost. `async` (opt-in): without
   * waiting for the flush, the flush being most of its cost; a crash of the database server may
   * lose the last such sightings (up to 3 x wal_writer_delay, 0.6 s by default), each whole with
   * its audit row, and the next visit sights the thing again.
   * Opening a case, new evidence, dispatch and every operator action are always durable.
   */
  readonly repeatCommit?: 'async' | 'durable';
  /**
   * How optimistic repeat sightings reach the record. `grouped` (default): sightings in flight at
   * once are coalesced: their group reads into one select (RepeatGroupRead), their durable writes
   * into one statement, one commit and one WAL flush (RepeatGroupCommit); each is acknowledged
   * after the commit that holds it. `each`: one read and one statement and commit per sighting
   * (the path before; the events benchmark's baseline). Durable either way.
   */
  readonly repeatBatching?: 'grouped' | 'each';
}

/** What openOrUpdate did with a confirmed event. Only `opened` cases are dispatched. */
export type SightingOutcome = 'opened' | 'updated' | 'suppressed';

/** Result of openOrUpdate: the case the event went to. */
export interface SightingResult {
  readonly case: CaseRecord;
  readonly created: boolean;
  readonly outcome: SightingOutcome;
}

/** Result of a step: the case after it, and whether this call changed it (false: a repeat). */
export interface CaseUpdate {
  readonly case: CaseRecord;
  readonly changed: boolean;
}

/** A verdict as an actor gives it; the store stamps actor and time. */
export type VerdictInput = Omit<Verdict, 'at' | 'by'>;

/** Renders the evidence of a sighting when (and only when) the store needs it. */
export type EvidenceRenderer = (why: 'open' | 'improve') => Promise<NonNullable<SightingContext['evidence']>>;

type Decision = { kind: 'merge' | 'suppress'; target: CaseRecord } | { kind: 'open' };

/**
 * Cases in the record (PostgreSQL, or the embedded PGlite through the same code): opening with
 * deduplication and cooldown, claims as leases, verdicts, handling, re-check, escalation, and one
 * audit row per transition. Every write is one transaction guarded by the case's version and
 * retried on conflict (CaseContentionError after `maxAttempts`); a change that dispatches writes
 * its outbox row in the same transaction. Every method that acts takes the actor.
 */
export class CaseStore {
  private readonly minIou: number;
  private readonly defaultCooldownS: number;
  private readonly maxAttempts: number;
  private readonly leaseMs: number;
  private readonly writeHooks = new Set<() => void>();
  private readonly repeats: RepeatGroupCommit;
  private readonly groups: RepeatGroupRead;
  private readonly notifier: CaseChangeNotifier;
  readonly now: () => number;

  constructor(
    readonly db: Kysely<Database>,
    private readonly options: CaseStoreOptions,
  ) {
    this.minIou = options.minIou ?? 0.3;
    this.defaultCooldownS = options.defaultCooldownS ?? 1800;
    this.maxAttempts = options.maxAttempts ?? 25;
    this.leaseMs = options.claimLeaseMs ?? 15 * 60_000;
    this.now = options.now ?? Date.now;
    this.repeats = new RepeatGroupCommit(db);
    this.groups = new RepeatGroupRead(db);
    this.notifier = new CaseChangeNotifier(db);
  }

  /**
   * Files a confirmed event: merges it into the active case of the same thing (same camera and
   * type, same place or zone per the type's `dedup`), or counts it on a case of the same thing
   * closed less than the cooldown before, or opens a new case (and its dispatch outbox row).
   * Evidence comes from `ctx.evidence`, else from `render`, called only for a new case or a
   * better sighting. Two processes filing the same thing at once open one case.
   */
  async openOrUpdate(event: ConfirmedEvent, ctx: SightingContext & { readonly render?: EvidenceRenderer }): Promise<SightingResult> {
    if (ctx.type.id !== event.eventType) throw new Error(`event type ${event.eventType} given with the definition of ${ctx.type.id}`);
    const rule: DedupRule = { by: ctx.type.dedup ?? 'place', minIou: this.minIou };
    const cooldownMs = (ctx.type.cooldownS ?? this.defaultCooldownS) * 1000;
    let rendered: SightingContext['evidence'] = ctx.evidence;
    if (this.options.sightingWrites !== 'locked') {
      const fast = await this.fileRepeat(rule, event, cooldownMs, ctx, rendered);
      if ('result' in fast) {
        this.written(true);
        return fast.result;
      }
      rendered = fast.rendered;
    }
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const now = this.now();
      // Decide and write in one transaction, holding the camera+type group's lock, so two workers
      // filing the same thing at once open one case. A decision that needs evidence not rendered
      // yet leaves the transaction empty, renders outside it, and decides again.
      const step = await this.db
        .transaction()
        .execute(async (tx): Promise<{ result: SightingResult } | { render: 'open' | 'improve' }> => {
          await sql`select pg_advisory_xact_lock(hashtext(${event.cameraId}), hashtext(${event.eventType}))`.execute(tx);
          const group = await readGroup(tx, event, cooldownMs);
          const decision = this.decide(rule, event, group.cases);
          const needs = decision.kind === 'open' ? 'open' : decision.kind === 'merge' && improvesEvidence(decision.target, event) ? 'improve' : null;
          if (needs && !rendered && ctx.render) return { render: needs };
          const sctx: SightingContext = { ...ctx, ...(rendered ? { evidence: rendered } : {}) };
          const change =
            decision.kind === 'open'
              ? this.stamp(openCase(newCaseId(now), event, sctx, now))
              : decision.kind === 'merge'
                ? mergeSighting(decision.target, event, sctx, now)
                : suppressSighting(decision.target, event, now);
          if (decision.kind === 'open') {
            // Guarded by the open count too: an optimistic open (no lock) may have committed since the read.
            if (!(await writeOpen(tx, change, this.outboxRows(change), now, group.guard))) throw new StaleCaseError(change.next.id);
          } else {
            await writeChange(tx, decision.target, change, this.outboxRows(change), now);
          }
          const outcome = decision.kind === 'open' ? 'opened' : decision.kind === 'merge' ? 'updated' : 'suppressed';
          return { result: { case: change.next, created: decision.kind === 'open', outcome } };
        })
        .catch((err: unknown) => {
          if (err instanceof StaleCaseError) return null;
          throw err;
        });
      if (step === null) continue;
      if ('result' in step) {
        // writeOpen told the trigger not to notify; writeChange did not.
        this.written(step.result.created);
        return step.result;
      }
      rendered = await ctx.render!(step.render);
    }
    throw new CaseContentionError(`filing ${event.eventType} on ${event.cameraId}`, this.maxAttempts);
  }

  /**
   * Without the group lock, the common cases: a sighting of a case that exists (merged, or
   * counted during a cooldown) is one read of the group and one write guarded by the case's
   * version, so it commits only on the version it was decided on (no lost update); a new case is
   * the same read and one statement guarded by the group's open count read with it (writeOpen), so
   * two workers deciding "open" at once open one case. Reads and repeat writes of sightings in
   * flight at once are coalesced (RepeatGroupRead, RepeatGroupCommit). A write that lost a race
   * goes back to the locked path with whatever evidence was rendered here.
   */
  private async fileRepeat(
    rule: DedupRule,
    event: ConfirmedEvent,
    cooldownMs: number,
    ctx: SightingContext & { readonly render?: EvidenceRenderer },
    evidence: SightingContext['evidence'],
  ): Promise<{ result: SightingResult } | { rendered: SightingContext['evidence'] }> {
    const coalesce = this.options.repeatBatching !== 'each';
    const group = coalesce
      ? await this.groups.read({ cameraId: event.cameraId, eventType: event.eventType, shadow: event.shadow === true, closedSince: event.at - cooldownMs })
      : await readGroup(this.db, event, cooldownMs);
    const decision = this.decide(rule, event, group.cases);
    if (decision.kind === 'open') return this.openUnlocked(event, ctx, evidence, group.guard);
    let rendered = evidence;
    if (decision.kind === 'merge' && !rendered && ctx.render && improvesEvidence(decision.target, event)) rendered = await ctx.render('improve');
    const now = this.now();
    const sctx: SightingContext = { ...ctx, ...(rendered ? { evidence: rendered } : {}) };
    const change = decision.kind === 'merge' ? mergeSighting(decision.target, event, sctx, now) : suppressSighting(decision.target, event, now);
    const outbox = this.outboxRows(change);
    const plain = !change.effects?.evidence?.length && outbox.dispatch === undefined && outbox.recheck === undefined;
    const commit = plain && this.options.repeatCommit === 'async' ? 'async' : 'durable';
    const grouped = commit === 'durable' && coalesce;
    const written = grouped ? await this.repeats.write({ prev: decision.target, change, outbox, now }) : await writeGuardedChange(this.db, decision.target, change, outbox, now, commit);
    if (!written) return { rendered };
    return { result: { case: change.next, created: false, outcome: decision.kind === 'merge' ? 'updated' : 'suppressed' } };
  }

  /** Opens a case without the group lock (see fileRepeat); a lost race hands back what was rendered. */
  private async openUnlocked(
    event: ConfirmedEvent,
    ctx: SightingContext & { readonly render?: EvidenceRenderer },
    evidence: SightingContext['evidence'],
    guard: GroupGuard,
  ): Promise<{ result: SightingResult } | { rendered: SightingContext['evidence'] }> {
    const rendered = !evidence && ctx.render ? await ctx.render('open') : evidence;
    const now = this.now();
    const sctx: SightingContext = { ...ctx, ...(rendered ? { evidence: rendered } : {}) };
    const change = this.stamp(openCase(newCaseId(now), event, sctx, now));
    if (!(await writeOpen(this.db, change, this.outboxRows(change), now, guard))) return { rendered };
    return { result: { case: change.next, created: true, outcome: 'opened' } };
  }

  /** Calls `fn` after every write this store commits (caches of rendered pages drop them); returns the unsubscribe function. */
  onWrite(fn: () => void): () => void {
    this.writeHooks.add(fn);
    return () => this.writeHooks.delete(fn);
  }

  /** A write committed; `announce`: it told the trigger not to notify, so the store does (CaseChangeNotifier). */
  private written(announce = false): void {
    if (announce) this.notifier.signal();
    for (const fn of this.writeHooks) fn();
  }

  /** Resolves once the changes this store committed have been announced to other processes (tests, shutdown). */
  changesAnnounced(): Promise<void> {
    return this.notifier.settled();
  }

  /** Cases by status, overdue, and the outbox backlog, counted by the record (the metrics' CaseGaugeSource). */
  caseGauges(now: number = this.now()): Promise<CaseGauges> {
    return recordCaseGauges(this.db, now);
  }

  /** The case, or null when there is none with this id. */
  async get(id: string): Promise<CaseRecord | null> {
    const row: unknown = await selectCases(this.db).where('cases.id', '=', id).executeTakeFirst();
    return row ? rowToCase(row) : null;
  }

  /** A page of cases matching every given filter, oldest first unless `order` is desc. */
  list(query: CaseListQuery = {}): Promise<CaseListPage> {
    return listCases(this.db, query);
  }

  /** The same page as `list`, as JSON text built by the record (what GET /api/cases sends). */
  listJson(query: CaseListQuery = {}): Promise<CasePageJson> {
    return listCasesJson(this.db, query);
  }

  /** Active cases on a camera. */
  async activeOnCamera(cameraId: string): Promise<CaseRecord[]> {
    const rows: unknown[] = await selectCases(this.db).where('cases.camera_id', '=', cameraId).where('cases.active', '=', true).orderBy('cases.id').execute();
    return rows.map(rowToCase);
  }

  /**
   * Cases on a camera waiting for the AI re-check (handled or rechecking), the re-check's read
   * after every visit: filtered by the record, so the camera's other active cases (every repeat
   * sighting's among them) are neither sent nor parsed.
   */
  async awaitingRecheckOnCamera(cameraId: string): Promise<CaseRecord[]> {
    const rows: unknown[] = await selectCases(this.db)
      .where('cases.camera_id', '=', cameraId)
      .where('cases.active', '=', true)
      .where('cases.status', 'in', ['handled', 'rechecking'])
      .orderBy('cases.id')
      .execute();
    return rows.map(rowToCase);
  }

  /** `actor` takes (or renews) a lease on the case; someone else's live lease is a CaseClaimedError. */
  claim(id: string, actor: string): Promise<CaseUpdate> {
    return this.mutate(id, 'claim', (c, now) => claimCase(c, actor, now, this.leaseMs));
  }

  /** The lease holder gives it back (not claimed: unchanged; someone else's: CaseClaimedError). */
  release(id: string, actor: string): Promise<CaseUpdate> {
    return this.mutate(id, 'release', (c, now) => releaseClaim(c, actor, now));
  }

  /** An operator breaks whatever lease is on the case (audited with the holder). */
  breakClaim(id: string, actor: string, reason?: string): Promise<CaseUpdate> {
    return this.mutate(id, 'break the claim', (c, now) => breakClaim(c, actor, now, reason));
  }

  /** Records `actor`'s verdict. The same again by the same actor: unchanged; anything else on a decided case: CaseDecidedError. */
  verdict(id: string, actor: string, input: VerdictInput): Promise<CaseUpdate> {
    return this.mutate(id, 'verdict', (c, now) => applyVerdict(c, { ...input, by: actor, at: now }));
  }

  /** The unit marks the case handled (note, optional photo path); requests the AI re-check. */
  handle(id: string, actor: string, input: { readonly note?: string; readonly photo?: string } = {}): Promise<CaseUpdate> {
    return this.mutate(id, 'mark handled', (c, now) => handleCase(c, actor, now, input));
  }

  /** Moves the case one level up (never down), to the parent of the unit it is with now (the `units` table). */
  escalate(id: string, actor: string, input: { readonly toLevel?: UnitLevel; readonly reason?: string } = {}): Promise<CaseUpdate> {
    // The unit is looked up for the version being changed: a reassignment racing this one is seen on the retry.
    return this.mutate(id, 'escalate', async (c, now) => escalateCase(c, this.typeOf(c), await findUnit(this.db, c.responsibleUnit), actor, now, input));
  }

  /**
   * An operator hands the case to another unit at its level (the `units` table says which exist):
   * audited `reassigned`, any claim cleared, the dispatch job sent again. The same unit: unchanged.
   */
  async reassign(id: string, actor: string, input: { readonly unit: string; readonly reason?: string }): Promise<CaseUpdate> {
    const unit = await findUnit(this.db, input.unit);
    return this.mutate(id, 'reassign', (c, now) => reassignCase(c, input.unit, unit, actor, now, input.reason));
  }

  /** An operator closes an active case by hand with a reason (the same close again: unchanged). */
  close(id: string, actor: string, input: { readonly reason: string; readonly note?: string }): Promise<CaseUpdate> {
    return this.mutate(id, 'close', (c, now) => closeCase(c, actor, now, input));
  }

  /** The re-check visit was asked for (handled -> rechecking). */
  startRecheck(id: string): Promise<CaseUpdate> {
    return this.mutate(id, 'start the re-check', (c, now) => startRecheck(c, now));
  }

  /** The re-check's answer: gone -> closed with the after frame; still there -> reopened with it. */
  recheckOutcome(id: string, gone: boolean, after: { readonly path: string; readonly confidence?: number }): Promise<CaseUpdate> {
    return this.mutate(id, 'record the re-check', (c, now) => recheckOutcome(c, gone, now, after));
  }

  /** Records that the dispatch job was published (opened -> dispatched; a repeat: unchanged). */
  markDispatched(id: string, at: number = this.now()): Promise<CaseUpdate> {
    return this.mutate(id, 'mark dispatched', (c) => markDispatched(c, at));
  }

  /**
   * Records that many cases' dispatch jobs were published, in one statement (the outbox relay's
   * path): opened -> dispatched, version bumped, one audit row each. Cases already marked are left
   * as they are. Returns how many changed.
   */
  async markDispatchedMany(ids: readonly string[], at: number = this.now()): Promise<number> {
    if (ids.length === 0) return 0;
    const list = sql.join(ids.map((id) => sql`${id}`));
    const r = await sql`
      with upd as (
        update cases set dispatched_at = ${at}, version = version + 1,
          status = case when status = 'opened' then 'dispatched' else status end,
          api_json = (api_json::jsonb || jsonb_build_object('dispatchedAt', ${at}::bigint, 'version', version + 1,
            'status', case when status = 'opened' then 'dispatched' else status end))::text
        where id in (${list}) and dispatched_at is null
        returning id, version, status, responsible_unit
      )
      insert into case_audit (case_id, case_version, at, by, action, from_status, to_status, detail)
      select id, version, ${at}, 'system', 'dispatched', case when status = 'dispatched' then 'opened' else status end, status,
        jsonb_build_object('unit', responsible_unit)
      from upd`.execute(this.db);
    const n = Number(r.numAffectedRows ?? 0n);
    if (n) this.written();
    return n;
  }

  /** Flags every active case past its deadline (once each); returns the cases flagged now. */
  async flagOverdue(limit = 500): Promise<CaseRecord[]> {
    const now = this.now();
    const ids = await this.db.selectFrom('cases').select('id').where('active', '=', true).where('overdue_at', 'is', null).where('deadline_at', '<', now).orderBy('deadline_at').limit(limit).execute();
    const out: CaseRecord[] = [];
    for (const { id } of ids) {
      const r = await this.mutate(id, 'flag overdue', (c, t) => markOverdue(c, t));
      if (r.changed) out.push(r.case);
    }
    return out;
  }

  /** The case's audit trail, oldest first. CaseNotFoundError when there is no such case. */
  async audit(id: string): Promise<AuditEntry[]> {
    const rows = await this.db.selectFrom('case_audit').select(['at', 'by', 'action', 'detail']).where('case_id', '=', id).orderBy('id').execute();
    if (rows.length === 0 && !(await this.get(id))) throw new CaseNotFoundError(id);
    return rows.map((r) => auditSchema.parse({ at: r.at, by: r.by, action: r.action, ...(r.detail === null ? {} : { detail: r.detail }) }));
  }

  /** A new case carries the catalogue version it was opened under. */
  private stamp(change: Change): Change {
    const v = this.options.catalogueVersion?.();
    return v === undefined ? change : { ...change, next: { ...change.next, catalogueVersion: v } };
  }

  private typeOf(c: CaseRecord): EventTypeDef {
    const t = this.options.eventType(c.eventType);
    if (!t) throw new Error(`case ${c.id} has event type "${c.eventType}", which the catalogue no longer has`);
    return t;
  }

  private outboxRows(change: Change): OutboxRows {
    const e = change.effects;
    if (!e?.dispatch && !e?.recheck) return {};
    const c = change.next;
    return {
      ...(e.dispatch ? { dispatch: buildDispatchPayload(c, this.typeOf(c)) } : {}),
      ...(e.recheck ? { recheck: { caseId: c.id, cameraId: c.cameraId, version: c.version } } : {}),
    };
  }

  private decide(rule: DedupRule, event: ConfirmedEvent, group: readonly CaseRecord[]): Decision {
    const hit = findMatch(rule, event, group.filter((c) => isActive(c.status)));
    if (hit) return { kind: 'merge', target: hit };
    const cooled = findMatch(rule, event, group.filter((c) => !isActive(c.status)));
    if (cooled) return { kind: 'suppress', target: cooled };
    return { kind: 'open' };
  }

  private async mutate(id: string, what: string, fn: (c: CaseRecord, now: number) => Change | null | Promise<Change | null>): Promise<CaseUpdate> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const current = await this.get(id);
      if (!current) throw new CaseNotFoundError(id);
      const now = this.now();
      const change = await fn(current, now);
      if (!change) return { case: current, changed: false };
      try {
        await this.db.transaction().execute((tx) => writeChange(tx, current, change, this.outboxRows(change), now));
        this.written();
        return { case: change.next, changed: true };
      } catch (err) {
        if (!(err instanceof StaleCaseError)) throw err;
      }
    }
    throw new CaseContentionError(`${what} ${id}`, this.maxAttempts);
  }
}

